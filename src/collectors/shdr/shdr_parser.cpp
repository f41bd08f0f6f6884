#include "collectors/shdr/shdr_parser.hpp"

#include <cstring>

#include "collectors/shdr/shdr_values.hpp"

namespace spindle::collectors::shdr {
namespace {

using model::Kind;

constexpr std::string_view kMultilinePrefix = "--multiline--";
constexpr std::string_view kAssetKey = "@ASSET@";

inline bool isNumberText(std::string_view t) {
  Kind k;
  std::uint8_t f = 0;
  auto v = parseScalar(t, k, f);
  return std::holds_alternative<std::int64_t>(v) || std::holds_alternative<double>(v);
}

}  // namespace

ShdrParser::ShdrParser(model::ItemCatalog& catalog, model::MachineId machine, ParserOptions options)
    : m_catalog(catalog), m_machine(machine), m_options(std::move(options)) {
  for (const auto& [key, kind] : m_options.kinds) {
    // Declared keys are not the adapter's to multiply; one the catalog refuses stays refused.
    if (KeyInfo* info = lookup(key, true, kind)) {
      info->kind = kind;
      info->fixedKind = true;
      m_catalog.settleKind(info->id, kind);  // an item interned earlier learns it too
    }
  }
  if (m_options.device) addDeviceFileItems();
}

ShdrParser::KeyInfo* ShdrParser::lookup(std::string_view key, bool internal, Kind kind) {
  KeyEntry* entry = lookupEntry(key, internal, kind);
  return entry == nullptr ? nullptr : &entry->info;
}

ShdrParser::KeyEntry* ShdrParser::lookupEntry(std::string_view key, bool internal, Kind kind) {
  if (KeyEntry* found = findEntry(key)) return found;
  if (!internal && m_keys.size() >= m_options.maxItems) {
    ++m_stats.itemsRefused;
    m_refusal = "beyond max_items (" + std::to_string(m_options.maxItems) + ")";
    return nullptr;
  }
  auto id = m_catalog.intern(m_machine, key, kind);
  if (!id.ok()) {  // counted by the catalog (max_keys)
    m_refusal = "refused: " + id.error().message();
    return nullptr;
  }
  KeyInfo info;
  info.id = *id;
  return setKey(key, info);
}

ShdrParser::KeyEntry* ShdrParser::findEntry(std::string_view key) {
  const std::uint32_t i = m_keys.find(std::hash<std::string_view>{}(key),
                                      [&](std::uint32_t e) { return m_entries[e].key == key; });
  return i == FlatTextIndex::kNone ? nullptr : &m_entries[i];
}

ShdrParser::KeyEntry* ShdrParser::setKey(std::string_view key, const KeyInfo& info) {
  if (KeyEntry* found = findEntry(key)) {
    found->info = info;
    return found;
  }
  // The catalog keeps the item's key for as long as the parser lives; an alias is the name
  // of an item of the device file, which the parser's options hold.
  std::string_view stable = m_catalog.item(info.id).key;
  if (stable != key) stable = key;
  KeyEntry& entry = m_entries.emplace_back(KeyEntry{stable, info});
  m_keys.insert(
      std::hash<std::string_view>{}(entry.key), static_cast<std::uint32_t>(m_entries.size() - 1),
      [this](std::uint32_t e) { return std::hash<std::string_view>{}(m_entries[e].key); });
  return &entry;
}

ShdrParser::KeyInfo* ShdrParser::lookupAt(std::size_t n, std::string_view key) {
  constexpr std::size_t kRecentKeys = 256;
  if (n < m_recentKeys.size() && m_recentKeys[n] != nullptr && m_recentKeys[n]->key == key) {
    return &m_recentKeys[n]->info;
  }
  KeyEntry* entry = lookupEntry(key, false, Kind::kEvent);
  if (entry == nullptr) return nullptr;
  if (n < kRecentKeys) {
    if (n >= m_recentKeys.size()) m_recentKeys.resize(n + 1, nullptr);
    m_recentKeys[n] = entry;
  }
  return &entry->info;
}

void ShdrParser::addDeviceFileItems() {
  const model::DeviceFile& file = *m_options.device;
  m_catalog.setDeviceFile(m_machine, m_options.device);
  std::vector<KeyInfo*> byIndex(file.items.size(), nullptr);
  for (std::size_t i = 0; i < file.items.size(); ++i) {
    const model::DeviceFileItem& item = file.items[i];
    auto id = m_catalog.internFileItem(m_machine, i);
    if (!id.ok()) continue;  // counted by the catalog (max_keys); the adapter's key is refused
    KeyInfo info;
    info.id = *id;
    info.kind = item.kind;
    info.fixedKind = true;
    info.file = &item;
    if (item.category == "SAMPLE" && !item.nativeUnits.empty() && !item.units.empty())
      info.conversion = model::unitConversion(item.nativeUnits, item.units);
    if (item.nativeScale > 0) {
      model::UnitConversion& c = info.conversion ? *info.conversion : info.conversion.emplace();
      c.factor /= item.nativeScale;
      c.offset *= item.nativeScale;
    }
    byIndex[i] = &setKey(item.id, info)->info;
  }
  // Names second: an adapter key that is some item's id means that item (as the reference
  // agent matches), a name only when no id takes it.
  for (std::size_t i = 0; i < file.items.size(); ++i) {
    const std::string& name = file.items[i].name;
    if (byIndex[i] == nullptr || name.empty() || findEntry(name) != nullptr) continue;
    KeyInfo alias = *byIndex[i];
    alias.alias = true;
    setKey(name, alias);
  }
}

void ShdrParser::initialObservations(TimestampNs now, ParseOutput& out) const {
  for (const KeyEntry& entry : m_entries) {
    const KeyInfo& info = entry.info;
    if (info.file == nullptr || info.alias) continue;
    model::Value value = model::Unavailable{};
    // An item constrained to one value is a constant: it has that value from the start.
    if (!info.file->constantValue.empty() && info.kind == Kind::kEvent)
      value = info.file->constantValue;
    out.observations.push_back(
        model::Observation{m_machine, info.id, now, info.kind, model::kFlagArrivalTime, value});
  }
}

void ShdrParser::adjustFileValue(const KeyInfo& info, model::Value& value) {
  if (!info.conversion || info.conversion->identity()) return;
  const model::UnitConversion& c = *info.conversion;
  if (const auto* i = std::get_if<std::int64_t>(&value)) {
    value = c.apply(static_cast<double>(*i));
  } else if (auto* d = std::get_if<double>(&value)) {
    *d = c.apply(*d);
  } else if (auto* v = std::get_if<std::vector<double>>(&value)) {
    for (double& x : *v) x = c.apply(x);
  }
}

std::vector<std::pair<model::ItemId, Kind>> ShdrParser::knownItems() const {
  std::vector<std::pair<model::ItemId, Kind>> out;
  out.reserve(m_entries.size());
  for (const KeyEntry& entry : m_entries) {
    if (entry.info.alias) continue;  // the same item under its other name
    out.emplace_back(entry.info.id, entry.info.kind);
  }
  return out;
}

void ShdrParser::resetStream() {
  m_partial.clear();
  m_discardingLongLine = false;
  m_asset = PendingAsset{};
}

void ShdrParser::feed(std::string_view bytes, TimestampNs arrival, ParseOutput& out) {
  while (!bytes.empty()) {
    const char* nl = static_cast<const char*>(std::memchr(bytes.data(), '\n', bytes.size()));
    if (nl == nullptr) {
      if (!m_discardingLongLine) m_partial.append(bytes);
      if (m_partial.size() > m_options.maxLineBytes) {
        ++m_stats.lines;
        m_line = m_partial;
        reject(out, "line longer than " + std::to_string(m_options.maxLineBytes) +
                        " bytes; discarded up to the next line end");
        m_partial.clear();
        m_discardingLongLine = true;
      }
      return;
    }
    const std::string_view piece(bytes.data(), static_cast<size_t>(nl - bytes.data()));
    bytes.remove_prefix(piece.size() + 1);
    if (m_discardingLongLine) {
      m_discardingLongLine = false;
      continue;
    }
    if (m_partial.empty()) {
      parseLine(piece, arrival, out);
    } else {
      m_partial.append(piece);
      parseLine(m_partial, arrival, out);
      m_partial.clear();
    }
  }
}

void ShdrParser::parseLine(std::string_view line, TimestampNs arrival, ParseOutput& out) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  ++m_stats.lines;
  m_line = line;
  if (line.size() > m_options.maxLineBytes) {
    reject(out, "line longer than " + std::to_string(m_options.maxLineBytes) + " bytes");
    return;
  }
  if (m_asset.active) {
    continueAsset(line, out);
    return;
  }
  const std::string_view trimmed = trimSpace(line);
  if (trimmed.empty()) return;
  if (trimmed.front() == '*') {
    parseCommand(trimmed, out);
    return;
  }
  parseFields(line, arrival, out);
}

void ShdrParser::parseCommand(std::string_view line, ParseOutput& out) {
  line.remove_prefix(1);
  line = trimSpace(line);
  size_t end = 0;
  while (end < line.size() && line[end] != ':' && line[end] != ' ') ++end;
  Command cmd{std::string(line.substr(0, end)), ""};
  if (end < line.size()) {
    std::string_view rest = line.substr(end + (line[end] == ':' ? 1 : 0));
    cmd.value = std::string(trimSpace(rest));
  }
  if (cmd.name.empty()) {
    reject(out, "command line without a name");
    return;
  }
  if (cmd.name == "shdrVersion") {
    m_shdrVersion = cmd.value.empty() ? 1 : std::atoi(cmd.value.c_str());
  }
  ++m_stats.commands;
  out.commands.push_back(std::move(cmd));
}

void ShdrParser::parseFields(std::string_view line, TimestampNs arrival, ParseOutput& out) {
  // One tokenizer per thread, not per parser: its field table (about 1 KiB for a line of 20
  // items) is scratch for this call only, and a fleet has thousands of parsers.
  thread_local Tokenizer tokenizer;
  const auto& fields = tokenizer.split(line);
  m_fields = &fields;
  if (fields.size() < 2) {
    reject(out, "no key|value after the timestamp");
    return;
  }
  std::string_view tsText = fields[0];
  const size_t at = tsText.find('@');
  if (at != std::string_view::npos) tsText = tsText.substr(0, at);  // "ts@duration"

  TimestampNs ts = arrival;
  std::uint8_t flags = model::kFlagNone;
  if (tsText.empty() || m_options.ignoreTimestamps) {
    flags |= model::kFlagArrivalTime;
  } else if (tsText == m_lastTimestampText) {
    ts = m_lastTimestamp;
  } else if (auto parsed = parseTimestamp(tsText, m_timestampCache)) {
    ts = *parsed;
    m_lastTimestampText.assign(tsText);
    m_lastTimestamp = ts;
  } else {
    reject(out, "first field '" + std::string(tsText.substr(0, 40)) +
                    "' is not a timestamp (expected e.g. 2024-05-01T12:00:00.000Z, or empty)");
    return;
  }

  size_t i = 1;
  std::size_t n = 0;  // the key's place in the line
  while (i < fields.size()) {
    const std::string_view key = fields[i];
    if (key.empty()) {
      if (i + 1 == fields.size()) break;  // a trailing '|'
      reject(out, "empty key in field " + std::to_string(i + 1));
      return;
    }
    int consumed = 0;
    if (key.front() == '@') {
      consumed = parseAssetCommand(key, i, ts, flags, out);
    } else if (KeyInfo* info = lookupAt(n++, key)) {
      consumed = parseItem(*info, i, ts, flags, out);
    } else {
      reject(out, "new key '" + std::string(key.substr(0, 64)) + "' " + m_refusal +
                      "; the rest of the line is skipped");
      return;
    }
    if (consumed < 0) return;
    i += 1 + static_cast<size_t>(consumed);
  }
}

int ShdrParser::parseItem(KeyInfo& info, size_t i, TimestampNs ts, std::uint8_t flags,
                          ParseOutput& out) {
  const auto& f = *m_fields;
  const size_t rest = f.size() - i - 1;
  auto emit = [&](Kind kind, model::Value value, std::uint8_t extraFlags = 0) {
    out.observations.push_back(model::Observation{m_machine, info.id, ts, kind,
                                                  static_cast<std::uint8_t>(flags | extraFlags),
                                                  std::move(value)});
    ++m_stats.observations;
  };
  if (rest == 0) {
    reject(out, "key '" + std::string(f[i]) + "' has no value");
    return -1;
  }

  Kind kind = info.kind;
  if (!info.fixedKind) {
    const auto level = parseLevel(f[i + 1]);
    const bool conditionShape =
        rest >= 5 && level &&
        (*level == model::Level::kWarning || *level == model::Level::kFault || f[i + 2].empty());
    if (conditionShape) {
      kind = Kind::kCondition;
    } else if (i == 1 && f.size() == 4 && !f[3].empty()) {
      kind = Kind::kMessage;
    } else if (i == 1 && f.size() == 5 && isInteger(f[2]) && (f[3].empty() || isNumberText(f[3])) &&
               !f[4].empty() && !isUnavailableText(f[4])) {
      kind = Kind::kTimeSeries;
    } else if (looksLikeDataSet(f[i + 1])) {
      kind = f[i + 1].find('{') != std::string_view::npos ? Kind::kTable : Kind::kDataSet;
    } else {
      kind = Kind::kEvent;  // sample or event, decided by the value below
    }
    if (kind != Kind::kEvent) {
      info.kind = kind;
      info.fixedKind = true;
      m_catalog.settleKind(info.id, kind);
    }
  }

  const std::string_view first = f[i + 1];
  switch (kind) {
    case Kind::kCondition: {
      const auto level = parseLevel(first);
      if (rest < 5) {
        if (rest >= 1 && level == model::Level::kUnavailable) {
          emit(kind, model::Unavailable{});
          return static_cast<int>(rest);
        }
        reject(out, "condition '" + std::string(f[i]) +
                        "' needs level|native_code|native_severity|qualifier|text, got " +
                        std::to_string(rest) + " field(s)");
        return -1;
      }
      if (!level) {
        reject(out, "condition '" + std::string(f[i]) + "' has unknown level '" +
                        std::string(first) + "' (expected NORMAL, WARNING, FAULT or UNAVAILABLE)");
        return 5;
      }
      auto c = std::make_shared<model::Condition>();
      c->level = *level;
      c->nativeCode = std::string(f[i + 2]);
      c->nativeSeverity = std::string(f[i + 3]);
      c->qualifier = std::string(f[i + 4]);
      c->text = std::string(f[i + 5]);
      emit(kind, std::shared_ptr<const model::Condition>(std::move(c)));
      return 5;
    }
    case Kind::kMessage: {
      if (rest == 1) {
        if (isUnavailableText(first)) {
          emit(kind, model::Unavailable{});
        } else {
          emit(kind,
               std::make_shared<const model::Message>(model::Message{"", std::string(first)}));
        }
        return 1;
      }
      emit(kind, std::make_shared<const model::Message>(
                     model::Message{std::string(first), std::string(f[i + 2])}));
      return 2;
    }
    case Kind::kTimeSeries: {
      if (isUnavailableText(first) || rest < 3) {
        if (!isUnavailableText(first)) {
          reject(out, "time series '" + std::string(f[i]) + "' needs count|rate|values");
          return -1;
        }
        emit(kind, model::Unavailable{});
        return 1;
      }
      auto series = parseTimeSeries(first, f[i + 2], f[i + 3]);
      if (!series) {
        reject(out, "time series '" + std::string(f[i]) + "': " + series.error().message());
      } else {
        emit(kind, std::make_shared<const model::TimeSeries>(std::move(series).value()));
      }
      return 3;
    }
    case Kind::kDataSet:
    case Kind::kTable: {
      if (isUnavailableText(first)) {
        emit(kind, model::Unavailable{});
        return 1;
      }
      auto set = parseDataSet(first);
      if (!set) {
        reject(out, "data set '" + std::string(f[i]) + "': " + set.error().message());
      } else {
        emit(kind, std::make_shared<const model::DataSet>(std::move(set).value()));
      }
      return 1;
    }
    default: {
      Kind valueKind;
      std::uint8_t extra = 0;
      model::Value value = parseScalar(first, valueKind, extra);
      if (info.file && info.kind == Kind::kEvent && !model::isUnavailable(value)) {
        value = std::string(first);  // a device file's event is text, kept as the adapter sent it
      }
      if (!info.fixedKind && !model::isUnavailable(value)) {
        // The first value says what the item is, for good: a number a sample, text an event.
        info.kind = valueKind;
        info.fixedKind = true;
        m_catalog.settleKind(info.id, valueKind);
      }
      if (info.file) adjustFileValue(info, value);
      emit(info.fixedKind ? info.kind : valueKind, std::move(value), extra);
      return 1;
    }
  }
}

int ShdrParser::parseAssetCommand(std::string_view key, size_t i, TimestampNs ts,
                                  std::uint8_t flags, ParseOutput& out) {
  const auto& f = *m_fields;
  const size_t rest = f.size() - i - 1;
  const KeyInfo* assetKey = lookup(kAssetKey, true);
  if (assetKey == nullptr) {
    reject(out, std::string(key) + " " + m_refusal + "; the rest of the line is skipped");
    return -1;
  }
  model::Observation obs{m_machine, assetKey->id, ts, Kind::kAsset, flags, {}};
  auto asset = std::make_shared<model::Asset>();
  int consumed = 0;
  if (key == "@ASSET@") {
    if (rest < 3) {
      reject(out, "@ASSET@ needs id|type|document");
      return -1;
    }
    asset->id = std::string(f[i + 1]);
    asset->type = std::string(f[i + 2]);
    const std::string_view doc = f[i + 3];
    if (doc.substr(0, kMultilinePrefix.size()) == kMultilinePrefix) {
      m_asset.active = true;
      m_asset.terminator = std::string(doc);
      m_asset.id = asset->id;
      m_asset.type = asset->type;
      m_asset.document.clear();
      m_asset.observation = std::move(obs);
      return static_cast<int>(rest);  // nothing may follow the multiline marker
    }
    asset->document = std::string(doc);
    consumed = 3;
  } else if (key == "@REMOVE_ASSET@") {
    if (rest < 1 || f[i + 1].empty()) {
      reject(out, "@REMOVE_ASSET@ needs an asset id");
      return -1;
    }
    asset->action = model::Asset::Action::kRemove;
    asset->id = std::string(f[i + 1]);
    consumed = 1;
  } else if (key == "@REMOVE_ALL_ASSETS@") {
    asset->action = model::Asset::Action::kRemoveAll;
    if (rest >= 1) asset->type = std::string(f[i + 1]);
    consumed = rest >= 1 ? 1 : 0;
  } else {
    reject(out, "unknown asset command '" + std::string(key) +
                    "' (expected @ASSET@, @REMOVE_ASSET@ or @REMOVE_ALL_ASSETS@)");
    return -1;
  }
  obs.value = std::shared_ptr<const model::Asset>(std::move(asset));
  out.observations.push_back(std::move(obs));
  ++m_stats.observations;
  return consumed;
}

void ShdrParser::continueAsset(std::string_view line, ParseOutput& out) {
  if (line == m_asset.terminator) {
    if (!m_asset.document.empty() && m_asset.document.back() == '\n') m_asset.document.pop_back();
    auto asset = std::make_shared<model::Asset>();
    asset->id = std::move(m_asset.id);
    asset->type = std::move(m_asset.type);
    asset->document = std::move(m_asset.document);
    m_asset.observation.value = std::shared_ptr<const model::Asset>(std::move(asset));
    out.observations.push_back(std::move(m_asset.observation));
    ++m_stats.observations;
    m_asset = PendingAsset{};
    return;
  }
  if (m_asset.document.size() + line.size() > m_options.maxLineBytes) {
    reject(out, "multiline asset '" + m_asset.id + "' exceeds " +
                    std::to_string(m_options.maxLineBytes) + " bytes without its end marker");
    m_asset = PendingAsset{};
    return;
  }
  m_asset.document.append(line);
  m_asset.document.push_back('\n');
}

void ShdrParser::reject(ParseOutput& out, std::string reason) {
  if (m_rejectedLineMark != m_stats.lines) {
    ++m_stats.rejected;
    m_rejectedLineMark = m_stats.lines;
  }
  out.rejections.push_back(
      Rejection{m_stats.lines, std::move(reason), std::string(m_line.substr(0, 120))});
}

}  // namespace spindle::collectors::shdr
