//! The base map: Natural Earth land, coastlines and borders (`maps/*.geojson`, embedded),
//! in a Mercator projection, and the view (pan and zoom) that puts it on the screen.
//!
//! Land polygons are triangulated once (earcut) into a mesh in projected coordinates.
//! A view moves that mesh's vertices to the screen and tessellates the coastlines and
//! borders into it; the result is kept and reused for as long as the view stays put. Projected coordinates are degrees:
//! `x` is the longitude, `y` the Mercator ordinate in degrees (north up), so that a
//! projected unit is a degree of longitude everywhere.

use std::sync::{Arc, Mutex};

use eframe::egui::epaint::{PathShape, TessellationOptions, Tessellator, Vertex};
use eframe::egui::{self, Color32, Mesh, Pos2, Rect, Stroke, Vec2};

use crate::geo::{EARTH_RADIUS_KM, LatLon};

pub(crate) const LAND_GEOJSON: &str = include_str!("../../maps/land-50m.geojson");
const BORDERS_GEOJSON: &str = include_str!("../../maps/borders-50m.geojson");

/// The crop of the map files: west, south, east, north.
pub const CROP: [f64; 4] = [20.0, 5.0, 70.0, 45.0];

pub const SEA: Color32 = Color32::from_rgb(24, 52, 82);
pub const LAND: Color32 = Color32::from_rgb(58, 66, 52);
pub const COAST: Color32 = Color32::from_rgb(150, 170, 150);
pub const BORDER: Color32 = Color32::from_rgb(118, 118, 100);

const DEG: f64 = std::f64::consts::PI / 180.0;
const MAX_LAT: f64 = 85.0;

/// Projected position of a point (Mercator, in degrees).
pub fn project(p: LatLon) -> Pos2 {
    let lat = p.lat.clamp(-MAX_LAT, MAX_LAT) * DEG;
    let y = (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln() / DEG;
    Pos2::new(p.lon as f32, y as f32)
}

/// The point at a projected position.
pub fn unproject(p: Pos2) -> LatLon {
    let y = p.y as f64 * DEG;
    let lat = (2.0 * y.exp().atan() - std::f64::consts::FRAC_PI_2) / DEG;
    LatLon::new(lat, p.x as f64)
}

/// Where the map looks: the projected point at the centre of the map's rectangle, and
/// screen points per projected degree.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct View {
    pub center: [f32; 2],
    pub scale: f32,
}

impl View {
    pub const MIN_SCALE: f32 = 4.0;
    pub const MAX_SCALE: f32 = 4000.0;

    /// The view that shows the box `south_west`..`north_east` whole in `rect`.
    pub fn fit(rect: Rect, south_west: LatLon, north_east: LatLon) -> View {
        let (a, b) = (project(south_west), project(north_east));
        let w = (b.x - a.x).abs().max(1e-3);
        let h = (b.y - a.y).abs().max(1e-3);
        let scale = (rect.width() / w).min(rect.height() / h);
        View {
            center: [(a.x + b.x) / 2.0, (a.y + b.y) / 2.0],
            scale: scale.clamp(Self::MIN_SCALE, Self::MAX_SCALE),
        }
    }

    /// The theatre: the Levant to the Arabian Sea.
    pub fn theatre(rect: Rect) -> View {
        View::fit(rect, LatLon::new(14.0, 32.0), LatLon::new(39.0, 63.0))
    }

    fn c(&self) -> Pos2 {
        Pos2::new(self.center[0], self.center[1])
    }

    /// Screen position of a projected point.
    pub fn to_screen(&self, rect: Rect, p: Pos2) -> Pos2 {
        let c = self.c();
        rect.center() + Vec2::new((p.x - c.x) * self.scale, -(p.y - c.y) * self.scale)
    }

    /// Projected point under a screen position.
    pub fn from_screen(&self, rect: Rect, s: Pos2) -> Pos2 {
        let d = s - rect.center();
        let c = self.c();
        Pos2::new(c.x + d.x / self.scale, c.y - d.y / self.scale)
    }

    pub fn lat_lon_to_screen(&self, rect: Rect, p: LatLon) -> Pos2 {
        self.to_screen(rect, project(p))
    }

    pub fn screen_to_lat_lon(&self, rect: Rect, s: Pos2) -> LatLon {
        unproject(self.from_screen(rect, s))
    }

    /// Move the map with the mouse: the map follows a drag of `delta` screen points.
    pub fn pan(&mut self, delta: Vec2) {
        self.center[0] -= delta.x / self.scale;
        self.center[1] += delta.y / self.scale;
    }

    /// Zoom by `factor` keeping the point under `cursor` where it is.
    pub fn zoom_about(&mut self, rect: Rect, cursor: Pos2, factor: f32) {
        let before = self.from_screen(rect, cursor);
        self.scale = (self.scale * factor).clamp(Self::MIN_SCALE, Self::MAX_SCALE);
        let after = self.from_screen(rect, cursor);
        self.center[0] += before.x - after.x;
        self.center[1] += before.y - after.y;
    }

    /// Kilometres per screen point at a latitude.
    pub fn km_per_point(&self, lat: f64) -> f64 {
        let km_per_degree = EARTH_RADIUS_KM * DEG * lat.to_radians().cos();
        km_per_degree / self.scale as f64
    }
}

/// A scale bar of a round length no longer than `max_points`: (km, length in points).
pub fn scale_bar(km_per_point: f64, max_points: f32) -> (f64, f32) {
    let max_km = km_per_point * max_points as f64;
    let mut best = 1.0;
    for exp in -1..5 {
        for m in [1.0, 2.0, 5.0] {
            let km = m * 10f64.powi(exp);
            if km <= max_km {
                best = km;
            }
        }
    }
    (best, (best / km_per_point) as f32)
}

/// A polyline in projected coordinates with its bounding box, for culling.
#[derive(Clone, Debug)]
pub struct Polyline {
    pub points: Vec<Pos2>,
    pub bounds: Rect,
}

impl Polyline {
    fn new(points: Vec<Pos2>) -> Polyline {
        let bounds = Rect::from_points(&points);
        Polyline { points, bounds }
    }
}

/// Land (triangulated), coastlines and borders in projected coordinates.
pub struct BaseMap {
    pub land: Mesh,
    pub coast: Vec<Polyline>,
    pub borders: Vec<Polyline>,
    /// The last view's screen mesh.
    drawn: Mutex<Option<Drawn>>,
}

/// A screen mesh and the view it was made for.
struct Drawn {
    rect: Rect,
    view: View,
    pixels_per_point: f32,
    mesh: Arc<Mesh>,
}

pub(crate) fn parse(text: &str, what: &str) -> Result<Vec<geojson::GeometryValue>, String> {
    let gj: geojson::GeoJson = text
        .parse()
        .map_err(|e| format!("maps/{what}: not GeoJSON: {e}"))?;
    let geometries = match gj {
        geojson::GeoJson::FeatureCollection(fc) => fc
            .features
            .into_iter()
            .filter_map(|f| f.geometry.map(|g| g.value))
            .collect(),
        geojson::GeoJson::Feature(f) => f.geometry.map(|g| g.value).into_iter().collect(),
        geojson::GeoJson::Geometry(g) => vec![g.value],
    };
    Ok(geometries)
}

fn on_crop_edge(p: &geojson::Position) -> bool {
    let eps = 1e-6;
    (p[0] - CROP[0]).abs() < eps
        || (p[0] - CROP[2]).abs() < eps
        || (p[1] - CROP[1]).abs() < eps
        || (p[1] - CROP[3]).abs() < eps
}

fn lat_lon(p: &geojson::Position) -> LatLon {
    LatLon::new(p[1], p[0])
}

impl BaseMap {
    /// Parse and triangulate the embedded map files (and parse the land for the inject
    /// checks, on this same thread: off the window's).
    pub fn load() -> Result<BaseMap, String> {
        let _ = super::land::land();
        let mut land = Mesh::default();
        let mut coast = Vec::new();
        let mut polygons = Vec::new();
        for g in parse(LAND_GEOJSON, "land-50m.geojson")? {
            match g {
                geojson::GeometryValue::Polygon { coordinates } => polygons.push(coordinates),
                geojson::GeometryValue::MultiPolygon { coordinates } => {
                    polygons.extend(coordinates)
                }
                other => {
                    return Err(format!(
                        "maps/land-50m.geojson: expected polygons, found a {}",
                        other.type_name()
                    ));
                }
            }
        }
        for rings in &polygons {
            // Earcut takes the outer ring then the holes, flattened, in projected units.
            let mut flat = Vec::new();
            let mut holes = Vec::new();
            for (i, ring) in rings.iter().enumerate() {
                if i > 0 {
                    holes.push(flat.len() / 2);
                }
                // GeoJSON rings repeat their first point at the end; earcut needs it once.
                let n = if ring.len() > 1 && ring[0] == ring[ring.len() - 1] {
                    ring.len() - 1
                } else {
                    ring.len()
                };
                for p in &ring[..n] {
                    let q = project(lat_lon(p));
                    flat.push(q.x as f64);
                    flat.push(q.y as f64);
                }
                // Coastlines: the ring less the stretches the crop cut along the box edge.
                let mut line: Vec<Pos2> = Vec::new();
                for w in ring.windows(2) {
                    if on_crop_edge(&w[0]) && on_crop_edge(&w[1]) {
                        if line.len() > 1 {
                            coast.push(Polyline::new(std::mem::take(&mut line)));
                        }
                        line.clear();
                        continue;
                    }
                    if line.is_empty() {
                        line.push(project(lat_lon(&w[0])));
                    }
                    line.push(project(lat_lon(&w[1])));
                }
                if line.len() > 1 {
                    coast.push(Polyline::new(line));
                }
            }
            let triangles = earcutr::earcut(&flat, &holes, 2)
                .map_err(|e| format!("maps/land-50m.geojson: cannot triangulate: {e:?}"))?;
            let base = land.vertices.len() as u32;
            for xy in flat.chunks(2) {
                land.vertices.push(Vertex {
                    pos: Pos2::new(xy[0] as f32, xy[1] as f32),
                    uv: egui::epaint::WHITE_UV,
                    color: LAND,
                });
            }
            land.indices
                .extend(triangles.into_iter().map(|i| base + i as u32));
        }
        let mut borders = Vec::new();
        for g in parse(BORDERS_GEOJSON, "borders-50m.geojson")? {
            let lines = match g {
                geojson::GeometryValue::LineString { coordinates } => vec![coordinates],
                geojson::GeometryValue::MultiLineString { coordinates } => coordinates,
                other => {
                    return Err(format!(
                        "maps/borders-50m.geojson: expected lines, found a {}",
                        other.type_name()
                    ));
                }
            };
            for l in lines {
                let pts: Vec<Pos2> = l.iter().map(|p| project(lat_lon(p))).collect();
                if pts.len() > 1 {
                    borders.push(Polyline::new(pts));
                }
            }
        }
        if land.indices.is_empty() {
            return Err("maps/land-50m.geojson: no land to draw".into());
        }
        Ok(BaseMap {
            land,
            coast,
            borders,
            drawn: Mutex::new(None),
        })
    }

    /// Paint sea, land, coastlines and borders into `rect`.
    pub fn paint(&self, painter: &egui::Painter, rect: Rect, view: &View) {
        painter.rect_filled(rect, 0.0, SEA);
        let ppp = painter.pixels_per_point();
        let mut drawn = self.drawn.lock().unwrap_or_else(|e| e.into_inner());
        let mesh = match &*drawn {
            Some(d) if d.rect == rect && d.view == *view && d.pixels_per_point == ppp => {
                d.mesh.clone()
            }
            _ => {
                let mesh = Arc::new(self.screen_mesh(rect, view, ppp));
                *drawn = Some(Drawn {
                    rect,
                    view: *view,
                    pixels_per_point: ppp,
                    mesh: mesh.clone(),
                });
                mesh
            }
        };
        painter.add(egui::Shape::Mesh(mesh));
    }

    /// Land, coastlines and borders in screen points for one view.
    pub fn screen_mesh(&self, rect: Rect, view: &View, pixels_per_point: f32) -> Mesh {
        let mut mesh = Mesh {
            indices: self.land.indices.clone(),
            vertices: Vec::with_capacity(self.land.vertices.len()),
            texture_id: self.land.texture_id,
        };
        mesh.vertices
            .extend(self.land.vertices.iter().map(|v| Vertex {
                pos: view.to_screen(rect, v.pos),
                ..*v
            }));
        let visible = Rect::from_two_pos(
            view.from_screen(rect, rect.left_top()),
            view.from_screen(rect, rect.right_bottom()),
        );
        let width = if view.scale > 60.0 { 1.2 } else { 0.8 };
        let mut tessellator = Tessellator::new(
            pixels_per_point,
            TessellationOptions::default(),
            [1, 1],
            Vec::new(),
        );
        tessellator.set_clip_rect(rect.expand(2.0));
        for (lines, color) in [(&self.borders, BORDER), (&self.coast, COAST)] {
            for l in lines.iter().filter(|l| l.bounds.intersects(visible)) {
                let pts = l.points.iter().map(|p| view.to_screen(rect, *p)).collect();
                tessellator
                    .tessellate_path(&PathShape::line(pts, Stroke::new(width, color)), &mut mesh);
            }
        }
        mesh
    }
}

/// Points of a circle of `radius_km` around `centre` on the sphere, projected.
pub fn ring(centre: LatLon, radius_km: f64, segments: usize) -> Vec<Pos2> {
    let d = radius_km / EARTH_RADIUS_KM;
    let (lat1, lon1) = (centre.lat * DEG, centre.lon * DEG);
    (0..=segments)
        .map(|i| {
            let b = i as f64 / segments as f64 * std::f64::consts::TAU;
            let lat2 = (lat1.sin() * d.cos() + lat1.cos() * d.sin() * b.cos()).asin();
            let lon2 =
                lon1 + (b.sin() * d.sin() * lat1.cos()).atan2(d.cos() - lat1.sin() * lat2.sin());
            project(LatLon::new(lat2 / DEG, lon2 / DEG))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_round_trips() {
        for (lat, lon) in [(25.1, 51.3), (0.0, 20.0), (44.9, 69.9), (-30.0, 10.0)] {
            let p = unproject(project(LatLon::new(lat, lon)));
            assert!((p.lat - lat).abs() < 1e-4 && (p.lon - lon).abs() < 1e-4);
        }
    }

    #[test]
    fn zoom_keeps_the_point_under_the_cursor() {
        let rect = Rect::from_min_size(Pos2::new(100.0, 50.0), Vec2::new(800.0, 600.0));
        let mut v = View::theatre(rect);
        let cursor = Pos2::new(321.0, 222.0);
        let before = v.screen_to_lat_lon(rect, cursor);
        v.zoom_about(rect, cursor, 2.5);
        let after = v.screen_to_lat_lon(rect, cursor);
        assert!(before.distance_km(after) < 0.01, "{before:?} {after:?}");
        let s = v.lat_lon_to_screen(rect, before);
        assert!((s - cursor).length() < 0.01);
    }

    #[test]
    fn pan_moves_the_map_with_the_mouse() {
        let rect = Rect::from_min_size(Pos2::ZERO, Vec2::new(800.0, 600.0));
        let mut v = View::theatre(rect);
        let doha = LatLon::new(25.3, 51.5);
        let s0 = v.lat_lon_to_screen(rect, doha);
        v.pan(Vec2::new(30.0, -20.0));
        let s1 = v.lat_lon_to_screen(rect, doha);
        assert!((s1 - s0 - Vec2::new(30.0, -20.0)).length() < 1e-3);
    }

    #[test]
    fn scale_bar_is_round_and_fits() {
        let (km, len) = scale_bar(3.7, 150.0);
        assert_eq!(km, 500.0);
        assert!(len <= 150.0 && len > 100.0);
        // Doha to Abu Dhabi is about 330 km: the view's km per point agrees.
        let rect = Rect::from_min_size(Pos2::ZERO, Vec2::new(800.0, 600.0));
        let v = View::theatre(rect);
        let (a, b) = (LatLon::new(25.0, 51.0), LatLon::new(25.0, 54.0));
        let pts = (v.lat_lon_to_screen(rect, a) - v.lat_lon_to_screen(rect, b)).length();
        let km = pts as f64 * v.km_per_point(25.0);
        assert!((km - a.distance_km(b)).abs() / km < 0.01, "{km}");
    }

    #[test]
    fn the_map_files_load_and_triangulate() {
        let m = BaseMap::load().unwrap();
        assert!(m.land.indices.len() >= 3 && m.land.indices.len().is_multiple_of(3));
        assert!(m.coast.len() > 10 && m.borders.len() > 10);
        // Qatar is land, the middle of the Gulf is sea.
        let inside = |p: LatLon| {
            let q = project(p);
            m.land.indices.chunks(3).any(|t| {
                let [a, b, c] = [0, 1, 2].map(|i| m.land.vertices[t[i] as usize].pos);
                let s = |p1: Pos2, p2: Pos2| (p2 - p1).x * (q - p1).y - (p2 - p1).y * (q - p1).x;
                let (d1, d2, d3) = (s(a, b), s(b, c), s(c, a));
                (d1 >= 0.0 && d2 >= 0.0 && d3 >= 0.0) || (d1 <= 0.0 && d2 <= 0.0 && d3 <= 0.0)
            })
        };
        assert!(inside(LatLon::new(25.3, 51.2)), "Qatar");
        assert!(inside(LatLon::new(32.0, 54.0)), "Iran");
        assert!(!inside(LatLon::new(27.0, 51.5)), "the Gulf");
        assert!(!inside(LatLon::new(15.0, 62.0)), "the Arabian Sea");
    }

    #[test]
    fn rings_have_their_radius() {
        let c = LatLon::new(25.0, 51.0);
        for p in ring(c, 200.0, 16) {
            let d = unproject(p).distance_km(c);
            assert!((d - 200.0).abs() < 0.5, "{d}");
        }
    }
}
