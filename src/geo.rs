//! Spherical-earth geometry for the host-side planning step.
//!
//! Uses `libm` rather than the platform's maths library so that planned geometry (and
//! so every engagement window) is the same on every machine, not only on every backend.

use libm::{asin, atan2, cos, sin, sqrt};

pub const EARTH_RADIUS_KM: f64 = 6371.0;
const DEG: f64 = std::f64::consts::PI / 180.0;

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl LatLon {
    pub const fn new(lat: f64, lon: f64) -> LatLon {
        LatLon { lat, lon }
    }

    /// Great-circle distance in km (haversine).
    pub fn distance_km(self, other: LatLon) -> f64 {
        let (p1, p2) = (self.lat * DEG, other.lat * DEG);
        let dp = p2 - p1;
        let dl = (other.lon - self.lon) * DEG;
        let a = sin(dp / 2.0) * sin(dp / 2.0) + cos(p1) * cos(p2) * sin(dl / 2.0) * sin(dl / 2.0);
        2.0 * EARTH_RADIUS_KM * asin(sqrt(a.clamp(0.0, 1.0)))
    }

    /// Unit vector from the earth's centre.
    pub fn to_unit(self) -> [f64; 3] {
        let (p, l) = (self.lat * DEG, self.lon * DEG);
        [cos(p) * cos(l), cos(p) * sin(l), sin(p)]
    }

    pub fn from_unit(v: [f64; 3]) -> LatLon {
        let lat = atan2(v[2], sqrt(v[0] * v[0] + v[1] * v[1])) / DEG;
        let lon = atan2(v[1], v[0]) / DEG;
        LatLon { lat, lon }
    }

    /// The point a fraction `f` of the way along the great circle to `other`.
    pub fn lerp(self, other: LatLon, f: f64) -> LatLon {
        let (a, b) = (self.to_unit(), other.to_unit());
        let dot = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]).clamp(-1.0, 1.0);
        let omega = libm::acos(dot);
        if omega < 1e-12 {
            return self;
        }
        let s = sin(omega);
        let (wa, wb) = (sin((1.0 - f) * omega) / s, sin(f * omega) / s);
        LatLon::from_unit([
            wa * a[0] + wb * b[0],
            wa * a[1] + wb * b[1],
            wa * a[2] + wb * b[2],
        ])
    }

    /// A point `north_km` north and `east_km` east of this one (local flat offset: the
    /// offsets used are tens of km).
    pub fn offset(self, north_km: f64, east_km: f64) -> LatLon {
        let dlat = north_km / EARTH_RADIUS_KM / DEG;
        let coslat = cos(self.lat * DEG).max(1e-6);
        let dlon = east_km / (EARTH_RADIUS_KM * coslat) / DEG;
        LatLon {
            lat: self.lat + dlat,
            lon: self.lon + dlon,
        }
    }

    /// `[east, north]` km from this point to `other`: the inverse of [`LatLon::offset`]
    /// (local and flat: for footprints within tens of km).
    pub fn east_north_km(self, other: LatLon) -> [f64; 2] {
        let coslat = cos(self.lat * DEG).max(1e-6);
        let mut dlon = other.lon - self.lon;
        if dlon > 180.0 {
            dlon -= 360.0;
        } else if dlon < -180.0 {
            dlon += 360.0;
        }
        [
            dlon * DEG * EARTH_RADIUS_KM * coslat,
            (other.lat - self.lat) * DEG * EARTH_RADIUS_KM,
        ]
    }
}

/// Great-circle interpolation between two fixed points, on unit vectors, for sweeping
/// a flight path sample by sample without converting back to degrees.
#[derive(Clone, Copy, Debug)]
pub struct Arc {
    a: [f64; 3],
    b: [f64; 3],
    omega: f64,
    sin_omega: f64,
}

impl Arc {
    pub fn new(from: LatLon, to: LatLon) -> Arc {
        let (a, b) = (from.to_unit(), to.to_unit());
        let dot = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]).clamp(-1.0, 1.0);
        let omega = libm::acos(dot);
        Arc {
            a,
            b,
            omega,
            sin_omega: sin(omega),
        }
    }

    /// Unit vector a fraction `f` of the way along.
    pub fn at(&self, f: f64) -> [f64; 3] {
        if self.omega < 1e-12 {
            return self.a;
        }
        let (wa, wb) = (
            sin((1.0 - f) * self.omega) / self.sin_omega,
            sin(f * self.omega) / self.sin_omega,
        );
        [
            wa * self.a[0] + wb * self.b[0],
            wa * self.a[1] + wb * self.b[1],
            wa * self.a[2] + wb * self.b[2],
        ]
    }
}

/// A ship's track: steam from the first point through the others at a constant speed,
/// then stop, or go round again when `patrol` is set.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub points: Vec<LatLon>,
    pub speed_kmh: f64,
    pub patrol: bool,
    /// (from, to, length km) of each leg, derived from the above.
    legs: Vec<(LatLon, LatLon, f64)>,
    total_km: f64,
    /// A change of course: (from seconds, the route followed after).
    divert: Option<(f64, Box<Route>)>,
}

impl Route {
    pub fn new(points: Vec<LatLon>, speed_kmh: f64, patrol: bool) -> Route {
        let mut pts = points.clone();
        if patrol && pts.len() > 1 {
            pts.push(pts[0]);
        }
        let legs: Vec<_> = pts
            .windows(2)
            .map(|w| (w[0], w[1], w[0].distance_km(w[1])))
            .filter(|l| l.2 > 0.0)
            .collect();
        let total_km = legs.iter().map(|l| l.2).sum();
        Route {
            points,
            speed_kmh,
            patrol,
            legs,
            total_km,
            divert: None,
        }
    }

    pub fn fixed(p: LatLon) -> Route {
        Route::new(vec![p], 0.0, false)
    }

    /// From `seconds` on, leave this route and steam to `to` at `speed_kmh`, then stop.
    pub fn divert(&mut self, seconds: f64, to: LatLon, speed_kmh: f64) {
        let from = self.position_at(seconds);
        let next = Route::new(vec![from, to], speed_kmh, false);
        match &mut self.divert {
            Some((at, rest)) if *at <= seconds => rest.divert(seconds - *at, to, speed_kmh),
            _ => self.divert = Some((seconds, Box::new(next))),
        }
    }

    /// Position `seconds` after the scenario start.
    pub fn position_at(&self, seconds: f64) -> LatLon {
        if let Some((at, rest)) = &self.divert
            && seconds >= *at
        {
            return rest.position_at(seconds - at);
        }
        let legs = &self.legs;
        if legs.is_empty() || self.speed_kmh <= 0.0 {
            return self.points[0];
        }
        let mut d = self.speed_kmh * seconds.max(0.0) / 3600.0;
        if self.patrol {
            d %= self.total_km;
        } else if d >= self.total_km {
            return legs[legs.len() - 1].1;
        }
        for (a, b, len) in legs {
            if d <= *len {
                return a.lerp(*b, d / len);
            }
            d -= len;
        }
        legs[legs.len() - 1].1
    }

    /// Fastest speed on the route, diversions included.
    pub fn top_speed_kmh(&self) -> f64 {
        match &self.divert {
            Some((_, rest)) => self.speed_kmh.max(rest.top_speed_kmh()),
            None => self.speed_kmh,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_matches_known_pair() {
        // Al Udeid to Al Dhafra: about 330 km.
        let d = LatLon::new(25.1, 51.3).distance_km(LatLon::new(24.2, 54.5));
        assert!((d - 337.0).abs() < 10.0, "{d}");
    }

    #[test]
    fn lerp_ends_and_middle() {
        let a = LatLon::new(30.0, 40.0);
        let b = LatLon::new(32.0, 50.0);
        assert!(a.lerp(b, 0.0).distance_km(a) < 1e-6);
        assert!(a.lerp(b, 1.0).distance_km(b) < 1e-6);
        let m = a.lerp(b, 0.5);
        assert!((a.distance_km(m) - m.distance_km(b)).abs() < 1e-6);
    }

    #[test]
    fn patrol_route_loops() {
        let r = Route::new(
            vec![LatLon::new(22.0, 61.0), LatLon::new(22.0, 62.0)],
            100.0,
            true,
        );
        let leg = r.points[0].distance_km(r.points[1]);
        let lap = 2.0 * leg / 100.0 * 3600.0;
        assert!(r.position_at(lap).distance_km(r.points[0]) < 1e-6);
        assert!(r.position_at(lap / 2.0).distance_km(r.points[1]) < 1e-6);
    }
}
