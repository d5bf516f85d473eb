//! "Did you mean": the known ids closest to an unknown one.

/// Ids compared for near misses: beyond this many known ids, or this many characters,
/// none are suggested (each comparison costs the product of two ids' lengths).
const MAX_KNOWN: usize = 10_000;
const MAX_ID_CHARS: usize = 64;

/// The message for an id that names nothing: `unknown <what> "<id>"`, followed by up to
/// three known ids that are near misses (in name order), if any.
pub fn unknown<'k>(
    what: &str,
    id: &str,
    known: impl Iterator<Item = &'k (impl AsRef<str> + 'k + ?Sized)>,
) -> String {
    let mut known: Vec<&str> = known.take(MAX_KNOWN + 1).map(|k| k.as_ref()).collect();
    if known.len() > MAX_KNOWN || id.chars().count() > MAX_ID_CHARS {
        return format!("unknown {what} {id:?}");
    }
    known.sort_unstable();
    let close: Vec<&str> = known
        .iter()
        .copied()
        .filter(|k| strsim_close(k, id))
        .take(3)
        .collect();
    if close.is_empty() {
        format!("unknown {what} {id:?}")
    } else {
        format!("unknown {what} {id:?}; did you mean {}?", close.join(", "))
    }
}

/// Near-miss ids: same after removing dashes, or one edit apart, or one contains the other.
fn strsim_close(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.replace(['-', '_'], "").to_lowercase();
    let (na, nb) = (norm(a), norm(b));
    if na == nb || (nb.len() >= 3 && na.contains(&nb)) {
        return true;
    }
    let (x, y): (Vec<char>, Vec<char>) = (na.chars().collect(), nb.chars().collect());
    if x.len() > MAX_ID_CHARS || x.len().abs_diff(y.len()) > 2 {
        return false;
    }
    let mut prev: Vec<usize> = (0..=y.len()).collect();
    for i in 1..=x.len() {
        let mut cur = vec![i; y.len() + 1];
        for j in 1..=y.len() {
            let sub = prev[j - 1] + (x[i - 1] != y[j - 1]) as usize;
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        prev = cur;
    }
    prev[y.len()] <= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_are_suggested_in_name_order() {
        let known = ["tel-nof", "tel-aviv", "haifa", "nevatim"];
        assert_eq!(
            unknown("target asset", "telaviv", known.iter()),
            "unknown target asset \"telaviv\"; did you mean tel-aviv?"
        );
        let weapons = ["zolfaghar", "fateh-313", "fateh-110"];
        assert_eq!(
            unknown("weapon", "fateh", weapons.iter()),
            "unknown weapon \"fateh\"; did you mean fateh-110, fateh-313?"
        );
        assert_eq!(unknown("side", "zz", known.iter()), "unknown side \"zz\"");
    }
}
