// Builds the theatre map data (Gulf and Levant) from Natural Earth 1:50m,
// as packaged in the npm module world-atlas@2.0.2 (TopoJSON).
//
//   cd maps && npm ci && node build.mjs
//
// Writes land-50m.geojson, countries-50m.geojson and borders-50m.geojson next
// to this script. The output is deterministic: running it twice gives
// byte-identical files.

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { feature, mesh } from "topojson-client";
import { bboxClip } from "@turf/bbox-clip";

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

// Crop box: [west, south, east, north] in degrees (lon 20..70 E, lat 5..45 N).
const BBOX = [20, 5, 70, 45];
// Decimal places kept in coordinates (3 ≈ 100 m).
const DECIMALS = 3;
const SCALE = 10 ** DECIMALS;

function loadTopo(name) {
  return JSON.parse(readFileSync(require.resolve(`world-atlas/${name}`), "utf8"));
}

function round(v) {
  const r = Math.round(v * SCALE) / SCALE;
  return r === 0 ? 0 : r; // no "-0"
}

function roundPoint(p) {
  return [round(p[0]), round(p[1])];
}

function samePoint(a, b) {
  return a[0] === b[0] && a[1] === b[1];
}

// Round a line and drop consecutive duplicate points.
function roundLine(line) {
  const out = [];
  for (const p of line) {
    const q = roundPoint(p);
    if (out.length === 0 || !samePoint(out[out.length - 1], q)) out.push(q);
  }
  return out;
}

// Clip one linear ring to BBOX, round it, and return a closed ring
// (first == last) with at least 4 positions, or null if nothing is left.
function clipRing(ring) {
  const clipped = bboxClip(
    { type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [ring] } },
    BBOX,
  ).geometry.coordinates;
  if (clipped.length === 0) return null;
  const r = roundLine(clipped[0]);
  if (r.length > 1 && samePoint(r[0], r[r.length - 1])) r.pop();
  if (r.length < 3) return null;
  r.push(r[0]);
  return r;
}

// Clip a Polygon/MultiPolygon geometry; returns a geometry or null if empty.
function clipPolygonal(geometry) {
  const polys = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  const out = [];
  for (const poly of polys) {
    const outer = clipRing(poly[0]);
    if (!outer) continue; // holes lie inside the outer ring, so they go too
    const rings = [outer];
    for (const hole of poly.slice(1)) {
      const h = clipRing(hole);
      if (h) rings.push(h);
    }
    out.push(rings);
  }
  if (out.length === 0) return null;
  return out.length === 1
    ? { type: "Polygon", coordinates: out[0] }
    : { type: "MultiPolygon", coordinates: out };
}

// Clip a LineString/MultiLineString geometry; always returns a MultiLineString
// (or null if empty).
function clipLinear(geometry) {
  const clipped = bboxClip({ type: "Feature", properties: {}, geometry }, BBOX).geometry;
  const lines = clipped.type === "LineString" ? [clipped.coordinates] : clipped.coordinates;
  const out = lines.map(roundLine).filter((l) => l.length >= 2);
  return out.length === 0 ? null : { type: "MultiLineString", coordinates: out };
}

// One feature per line: small diffs, still valid JSON.
function writeCollection(name, features) {
  const body = features.map((f) => JSON.stringify(f)).join(",\n");
  const text = `{"type":"FeatureCollection","bbox":${JSON.stringify(BBOX)},"features":[\n${body}\n]}\n`;
  writeFileSync(join(HERE, name), text);
  console.log(`${name}: ${features.length} features, ${text.length} bytes`);
}

// --- land -------------------------------------------------------------------
{
  const topo = loadTopo("land-50m.json");
  const fc = feature(topo, topo.objects.land);
  const features = [];
  for (const f of fc.features) {
    const geometry = clipPolygonal(f.geometry);
    if (geometry) features.push({ type: "Feature", properties: {}, geometry });
  }
  writeCollection("land-50m.geojson", features);
}

// --- countries and internal borders ------------------------------------------
{
  const topo = loadTopo("countries-50m.json");
  const fc = feature(topo, topo.objects.countries);
  const features = [];
  for (const f of fc.features) {
    if (!f.geometry) continue;
    const geometry = clipPolygonal(f.geometry);
    if (!geometry) continue;
    const out = { type: "Feature" };
    if (f.id !== undefined) out.id = f.id;
    out.properties = { name: f.properties.name };
    out.geometry = geometry;
    features.push(out);
  }
  writeCollection("countries-50m.geojson", features);

  const borders = mesh(topo, topo.objects.countries, (a, b) => a !== b);
  const geometry = clipLinear(borders);
  writeCollection(
    "borders-50m.geojson",
    geometry ? [{ type: "Feature", properties: {}, geometry }] : [],
  );
}
