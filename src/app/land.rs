//! Land and sea, for checking where a facilitator sends units: a carrier diverts to a
//! point at sea by a way at sea; a ground battery relocates to a point on land. The same
//! Natural Earth polygons as the base map (`maps/land-50m.geojson`), kept in latitude and
//! longitude with their bounding boxes, tested by ray casting (even-odd over every ring,
//! so lakes and holes count as water).

use std::sync::OnceLock;

use super::map::{CROP, LAND_GEOJSON, parse};
use crate::geo::LatLon;

/// One ring (outer boundary or hole) as (lon, lat) points, with its bounding box.
struct Ring {
    points: Vec<[f64; 2]>,
    /// west, south, east, north.
    bounds: [f64; 4],
}

/// The land polygons of the map.
pub struct Land {
    /// Polygons: each its outer ring then its holes.
    polygons: Vec<Vec<Ring>>,
}

/// Where a point lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ground {
    Land,
    Sea,
    /// Beyond the map's crop: nothing is known there.
    OffMap,
    /// The land is not parsed yet (see [`loaded`]).
    Unknown,
}

static LAND: OnceLock<Result<Land, String>> = OnceLock::new();

/// The land of the embedded map, parsed once for the whole process (on the first call:
/// the worker's thread or the base map's loader, not the window's).
pub fn land() -> &'static Result<Land, String> {
    LAND.get_or_init(Land::load)
}

/// The land if it is parsed already, without waiting for it.
pub fn loaded() -> Option<&'static Result<Land, String>> {
    LAND.get()
}

impl Land {
    fn load() -> Result<Land, String> {
        let mut polygons = Vec::new();
        for g in parse(LAND_GEOJSON, "land-50m.geojson")? {
            let list = match g {
                geojson::GeometryValue::Polygon { coordinates } => vec![coordinates],
                geojson::GeometryValue::MultiPolygon { coordinates } => coordinates,
                other => {
                    return Err(format!(
                        "maps/land-50m.geojson: expected polygons, found a {}",
                        other.type_name()
                    ));
                }
            };
            for rings in list {
                polygons.push(
                    rings
                        .iter()
                        .map(|r| {
                            let points: Vec<[f64; 2]> = r.iter().map(|p| [p[0], p[1]]).collect();
                            let mut bounds = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
                            for p in &points {
                                bounds = [
                                    bounds[0].min(p[0]),
                                    bounds[1].min(p[1]),
                                    bounds[2].max(p[0]),
                                    bounds[3].max(p[1]),
                                ];
                            }
                            Ring { points, bounds }
                        })
                        .collect(),
                );
            }
        }
        if polygons.is_empty() {
            return Err("maps/land-50m.geojson: no land".into());
        }
        Ok(Land { polygons })
    }

    /// Land, sea, or off the map.
    pub fn ground(&self, p: LatLon) -> Ground {
        let [w, s, e, n] = CROP;
        if !(w..=e).contains(&p.lon) || !(s..=n).contains(&p.lat) {
            return Ground::OffMap;
        }
        let inside = self.polygons.iter().any(|rings| {
            let mut crossings = 0;
            for r in rings {
                let b = r.bounds;
                if p.lon < b[0] || p.lon > b[2] || p.lat < b[1] || p.lat > b[3] {
                    continue;
                }
                crossings += ray_crossings(&r.points, p);
            }
            crossings % 2 == 1
        });
        if inside { Ground::Land } else { Ground::Sea }
    }

    /// The first point on land along the great circle from `from` to `to`, sampled every
    /// 2 km (the first 3 km from `from` are left out: a ship alongside a quay starts there).
    pub fn first_land_on_the_way(&self, from: LatLon, to: LatLon) -> Option<LatLon> {
        let km = from.distance_km(to);
        let steps = (km / 2.0).ceil().max(1.0) as usize;
        (0..=steps)
            .map(|i| i as f64 / steps as f64)
            .filter(|f| f * km >= 3.0)
            .map(|f| from.lerp(to, f))
            .find(|p| self.ground(*p) == Ground::Land)
    }
}

/// How many edges of a closed ring a ray from `p` towards the east crosses.
fn ray_crossings(points: &[[f64; 2]], p: LatLon) -> u32 {
    let (x, y) = (p.lon, p.lat);
    let mut n = 0;
    let len = points.len();
    for i in 0..len {
        let a = points[i];
        let b = points[(i + 1) % len];
        if (a[1] > y) != (b[1] > y) {
            let at = a[0] + (y - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if at > x {
                n += 1;
            }
        }
    }
    n
}

/// A point as a facilitator writes it: `21.40°N 46.00°E`.
pub fn point(p: LatLon) -> String {
    format!(
        "{:.2}°{} {:.2}°{}",
        p.lat.abs(),
        if p.lat >= 0.0 { "N" } else { "S" },
        p.lon.abs(),
        if p.lon >= 0.0 { "E" } else { "W" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn land_and_sea_where_they_are() {
        let land = land().as_ref().unwrap();
        for (lat, lon) in [(21.4, 46.0), (25.3, 51.2), (32.0, 54.0), (22.0, 57.0)] {
            assert_eq!(
                land.ground(LatLon::new(lat, lon)),
                Ground::Land,
                "{lat} {lon}"
            );
        }
        for (lat, lon) in [(27.0, 51.5), (15.0, 62.0), (24.5, 58.5), (20.0, 38.5)] {
            assert_eq!(
                land.ground(LatLon::new(lat, lon)),
                Ground::Sea,
                "{lat} {lon}"
            );
        }
        assert_eq!(land.ground(LatLon::new(50.0, 10.0)), Ground::OffMap);
    }

    #[test]
    fn the_way_across_oman_crosses_land() {
        let land = land().as_ref().unwrap();
        let sea = LatLon::new(20.5, 63.0);
        assert!(
            land.first_land_on_the_way(sea, LatLon::new(26.5, 52.5))
                .is_some()
        );
        assert!(
            land.first_land_on_the_way(sea, LatLon::new(24.5, 58.5))
                .is_none()
        );
    }
}
