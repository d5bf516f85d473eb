//! Canonical order: every list the validator builds is indexed in an order the file's
//! layout cannot change. Indices become kernel rows, random-stream keys, CSV columns and
//! log order, so reversing `[[batteries]]` (or any other list) must not move them. Each
//! section walks its entries through [`by_id`], which sorts them by id in natural order
//! (`salvo-2` before `salvo-10`; a duplicated id keeps its file order, so "the later one"
//! is still the later one in the file) and hands back each entry's index in the file,
//! which diagnostics use to point at the file's own `line:column`.

use std::cmp::Ordering;

/// The entries of a list sorted by a key, each with its index in the file. Stable: entries
/// with equal keys keep their file order.
pub(super) fn by_key<'a, T, K: Ord>(
    specs: &'a [T],
    key: impl Fn(&'a T) -> K,
) -> Vec<(usize, &'a T)> {
    let mut out: Vec<(usize, &T)> = specs.iter().enumerate().collect();
    out.sort_by_key(|&(_, s)| key(s));
    out
}

/// The entries of a list sorted by id in natural order (see [`by_key`]).
pub(super) fn by_id<'a, T>(specs: &'a [T], id: impl Fn(&'a T) -> &'a str) -> Vec<(usize, &'a T)> {
    let mut out: Vec<(usize, &T)> = specs.iter().enumerate().collect();
    out.sort_by(|a, b| natural(id(a.1), id(b.1)));
    out
}

/// Natural order: runs of digits compare by their value (`inject-2` before `inject-10`,
/// as an exercise numbers its injects), everything else byte by byte; two ids that differ
/// only in leading zeros fall back to plain byte order, so the order is total.
pub(super) fn natural(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        if x[i].is_ascii_digit() && y[j].is_ascii_digit() {
            let (ei, ej) = (digits_end(x, i), digits_end(y, j));
            let (dx, dy) = (strip_zeros(&x[i..ei]), strip_zeros(&y[j..ej]));
            let by_value = dx.len().cmp(&dy.len()).then_with(|| dx.cmp(dy));
            if by_value != Ordering::Equal {
                return by_value;
            }
            (i, j) = (ei, ej);
        } else {
            if x[i] != y[j] {
                return x[i].cmp(&y[j]);
            }
            i += 1;
            j += 1;
        }
    }
    (x.len() - i).cmp(&(y.len() - j)).then_with(|| a.cmp(b))
}

fn digits_end(s: &[u8], k: usize) -> usize {
    k + s[k..].iter().take_while(|c| c.is_ascii_digit()).count()
}

fn strip_zeros(s: &[u8]) -> &[u8] {
    &s[s.iter().take_while(|&&c| c == b'0').count()..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_by_id_with_duplicates_in_file_order_and_file_indices_kept() {
        let ids = ["b", "a", "c", "a"];
        let got: Vec<(usize, &&str)> = by_id(&ids, |s| s);
        assert_eq!(got, [(1, &"a"), (3, &"a"), (0, &"b"), (2, &"c")]);
    }

    #[test]
    fn natural_order_compares_numbers_by_value() {
        let mut ids = vec![
            "inject-10",
            "inject-2",
            "b",
            "a-1",
            "inject-1",
            "x#10",
            "x#9",
            "a-01",
        ];
        ids.sort_by(|a, b| natural(a, b));
        assert_eq!(
            ids,
            [
                "a-01",
                "a-1",
                "b",
                "inject-1",
                "inject-2",
                "inject-10",
                "x#9",
                "x#10"
            ]
        );
    }
}
