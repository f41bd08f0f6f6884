#!/usr/bin/env python3
"""Independent check of an MTConnect agent's /probe and /current against an SHDR log and the
device file it was replayed with. Reads the log and Devices.xml itself (it shares no code with
Spindle) and reports every data item of the device whose category, type, units or last value
differs from what the log implies. Exit status 0 when everything matches.

usage: mtconnect_expectations.py LOG DEVICES_XML DEVICE PROBE_XML CURRENT_XML
"""

import math
import sys
import xml.etree.ElementTree as ET

# Native units to units: factor per the MTConnect standard's units (only the pairs a device
# file may ask for; value * factor).
FACTORS = {
    ("MILLIMETER/MINUTE", "MILLIMETER/SECOND"): 1 / 60,
    ("DEGREE/MINUTE", "DEGREE/SECOND"): 1 / 60,
    ("FOOT/MINUTE", "MILLIMETER/SECOND"): 304.8 / 60,
    ("INCH/MINUTE", "MILLIMETER/SECOND"): 25.4 / 60,
    ("INCH", "MILLIMETER"): 25.4,
    ("FOOT", "MILLIMETER"): 304.8,
    ("REVOLUTION/SECOND", "REVOLUTION/MINUTE"): 60,
}


def local(tag):
    return tag.rsplit("}", 1)[-1]


def device_items(path, name):
    root = ET.parse(path).getroot()
    for dev in root.iter():
        if local(dev.tag) == "Device" and name in (dev.get("name"), dev.get("uuid"), dev.get("id")):
            return [e for e in dev.iter() if local(e.tag) == "DataItem"]
    sys.exit(f"no device {name} in {path}")


def replay(log, items):
    """The last value of every item the log names: text for events, number list for samples,
    active conditions for conditions."""
    by_id = {i.get("id"): i for i in items}
    by_name = {}
    for i in items:
        if i.get("name") and i.get("name") not in by_id:
            by_name.setdefault(i.get("name"), i)
    last = {}
    active = {}  # condition id -> {code: level}
    terminator = None
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if terminator is not None:
                if line == terminator:
                    terminator = None
                continue
            if not line.strip() or line.lstrip().startswith("*"):
                continue
            fields = line.split("|")
            i = 1
            while i < len(fields):
                key = fields[i]
                if key.startswith("@"):
                    if key == "@ASSET@" and len(fields) > i + 3 and fields[i + 3].startswith("--multiline--"):
                        terminator = fields[i + 3]
                    break  # asset commands end the line's data
                item = by_id.get(key)  # an Element without children is falsy: no `or`
                if item is None:
                    item = by_name.get(key)
                if item is None:
                    i += 2
                    continue
                did = item.get("id")
                if item.get("category") == "CONDITION":
                    level, code = fields[i + 1].upper(), fields[i + 2]
                    conds = active.setdefault(did, {})
                    if level == "NORMAL" and code == "":
                        conds.clear()
                    elif level == "NORMAL":
                        conds.pop(code, None)
                    elif level == "UNAVAILABLE":
                        conds.clear()
                    else:
                        conds[code] = level
                    last[did] = level
                    i += 6
                elif item.get("type") == "MESSAGE":
                    last[did] = fields[i + 2] if len(fields) > i + 2 else fields[i + 1]
                    i += 3
                else:
                    last[did] = fields[i + 1]
                    i += 2
    return last, active


def expected_number(text, item):
    factor = 1.0
    native, units = item.get("nativeUnits"), item.get("units")
    if native and units and native != units:
        factor = FACTORS.get((native, units))
        if factor is None:
            return None
    if item.get("nativeScale"):
        factor /= float(item.get("nativeScale"))
    return [float(v) * factor for v in text.split()]


def main():
    log, devices, name, probe_path, current_path = sys.argv[1:6]
    items = device_items(devices, name)
    last, active = replay(log, items)
    probe = {e.get("id"): e for e in ET.parse(probe_path).getroot().iter() if local(e.tag) == "DataItem"}
    current = {}
    for block in ET.parse(current_path).getroot().iter():
        if local(block.tag) in ("Samples", "Events", "Condition"):
            for obs in block:
                current.setdefault(obs.get("dataItemId"), []).append((local(block.tag), obs))
    problems = []
    blocks = {"SAMPLE": "Samples", "EVENT": "Events", "CONDITION": "Condition"}
    for item in items:
        did = item.get("id")
        served = probe.get(did)
        if served is None:
            problems.append(f"{did}: not in /probe")
            continue
        for attr in ("category", "type", "subType", "units", "name"):
            if served.get(attr) != item.get(attr):
                problems.append(f"{did}: /probe {attr} {served.get(attr)!r}, file {item.get(attr)!r}")
        obs = current.get(did)
        if not obs:
            problems.append(f"{did}: no value in /current")
            continue
        if any(b != blocks[item.get("category")] for b, _ in obs):
            problems.append(f"{did}: in <{obs[0][0]}>, expected <{blocks[item.get('category')]}>")
        text = last.get(did, "UNAVAILABLE")
        if item.get("category") == "CONDITION":
            conds = active.get(did, {})
            if conds:
                want = sorted((lvl.capitalize(), code) for code, lvl in conds.items())
            else:
                want = [("Unavailable" if text == "UNAVAILABLE" else "Normal", "")]
            got = sorted((local(o.tag), o.get("nativeCode", "")) for _, o in obs)
            if got != want:
                problems.append(f"{did}: /current {got}, log implies {want}")
            continue
        got = (obs[-1][1].text or "").strip()
        if text.upper() == "UNAVAILABLE" or (item.get("category") == "SAMPLE" and text == ""):
            if got != "UNAVAILABLE":
                problems.append(f"{did}: /current {got!r}, log implies UNAVAILABLE")
        elif item.get("category") == "SAMPLE":
            want = expected_number(text, item)
            try:
                have = [float(v) for v in got.split()]
            except ValueError:
                have = None
            if want is None or have is None or len(want) != len(have) or any(
                not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) for a, b in zip(want, have)
            ):
                problems.append(f"{did}: /current {got!r}, log implies {want} (from {text!r})")
        elif got != text.strip():
            problems.append(f"{did}: /current {got!r}, log implies {text!r}")
    for p in problems:
        print(p)
    print(f"{len(items)} data items checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
