#pragma once
/// The MTConnect schema versions the interface serves, and what each one lacks: a document
/// declares one version (its namespaces and schema locations) and holds only what that
/// version's schemas define. Elements newer than the version are adapted (a typed item becomes
/// its generic element with an `x:` type) or left out (the Agent device before 1.7, tables
/// before 1.6); attributes newer than it are left out.

#include <optional>
#include <string>
#include <string_view>

#include "web/mtconnect/device_model.hpp"

namespace spindle::web::mtconnect {

struct SchemaVersion {
  int major = 2;
  int minor = 2;
  friend auto operator<=>(const SchemaVersion&, const SchemaVersion&) = default;
  bool atLeast(int maj, int min) const { return *this >= SchemaVersion{maj, min}; }
  std::string text() const { return std::to_string(major) + "." + std::to_string(minor); }
};

/// The default: the version of the schemas the interface was first validated against.
constexpr SchemaVersion kDefaultSchemaVersion{2, 2};

/// The versions served, as "1.5, 1.7, 2.0, 2.2" (each validated in the tests against the
/// official schemas).
const char* servedSchemaVersions();

/// `text` ("2.0") when it is a served version; nullopt otherwise.
std::optional<SchemaVersion> parseSchemaVersion(std::string_view text);

/// Whether the Streams schema of `v` has the observation element `element` ("Execution",
/// "ConnectionStatus"; without a DataSet/Table/TimeSeries suffix).
bool hasElement(SchemaVersion v, std::string_view element);

/// Whether `v` can carry item `m` at all (data sets and tables of typed items begin in 2.0).
bool servedIn(const ItemMeta& m, SchemaVersion v);

/// `m` as `v` serves it when `v` does not define its element: the generic element
/// (CommonSample, StringEvent) with the type as an extension (`x:CONNECTION_STATUS`); nullopt
/// when `m` is served as it is. TRANSLATION and ROTATION, three numbers by the standard, are
/// one float in the 2.2 schema: there they are served as extensions, which carry the three.
std::optional<ItemMeta> adaptation(const ItemMeta& m, SchemaVersion v);

/// What an event element's value must be in `v`: any text, or a number (the IntegerEvent and
/// FloatEvent elements of the Streams schema, such as PartCount or PathFeedrateOverride).
enum class ValueKind { kText, kInteger, kFloat };
ValueKind eventValueKind(SchemaVersion v, std::string_view element);

/// Whether `text` is a value of `kind` in XML Schema's lexical form (xs:integer, xs:float) or
/// UNAVAILABLE.
bool fitsValueKind(ValueKind kind, std::string_view text);

}  // namespace spindle::web::mtconnect
