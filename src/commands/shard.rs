//! `--shard I/N` and `--shard auto`: which contiguous slice of a run's replicates (or a
//! sweep's grid points) this process runs, from the flag or from the job array it runs in
//! (Slurm's `SLURM_ARRAY_TASK_*`, Kubernetes' `JOB_COMPLETION_INDEX` with `--shards N`).

use std::ops::Range;

use crate::error::Failure;
use crate::report::shard::ShardOf;

/// Most shards of one run.
pub const MAX_SHARDS: u32 = 100_000;

/// `--shard`: a slice given, or `auto`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardSpec {
    Given(ShardOf),
    Auto,
}

/// clap's parser of `--shard`: `I/N` (0 <= I < N <= [`MAX_SHARDS`]) or `auto`.
pub fn parse_shard(s: &str) -> Result<ShardSpec, String> {
    if s == "auto" {
        return Ok(ShardSpec::Auto);
    }
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("expected I/N (shard I of N, from 0) or auto, found {s:?}"))?;
    let index: u32 = i
        .trim()
        .parse()
        .map_err(|_| format!("shard index {i:?} is not a whole number"))?;
    let count: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("shard count {n:?} is not a whole number"))?;
    if count == 0 || count > MAX_SHARDS {
        return Err(format!("shard count {count}: expected 1 to {MAX_SHARDS}"));
    }
    if index >= count {
        return Err(format!(
            "shard index {index} of {count}: shards are numbered 0 to {}",
            count - 1
        ));
    }
    Ok(ShardSpec::Given(ShardOf { index, count }))
}

/// The shard this process runs, and a sentence saying where it came from. `env` reads
/// the environment (tests pass their own).
pub fn resolve(
    spec: ShardSpec,
    shards: Option<u32>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(ShardOf, String), Failure> {
    let bad = |m: String| Failure::input(format!("--shard auto: {m}"));
    let num = |name: &str| -> Result<Option<u32>, Failure> {
        match env(name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| bad(format!("{name}={v:?} is not a whole number"))),
        }
    };
    if let ShardSpec::Given(s) = spec {
        {
            if shards.is_some_and(|n| n != s.count) {
                return Err(Failure::input(format!(
                    "--shards {} disagrees with --shard {}/{}",
                    shards.unwrap_or(0),
                    s.index,
                    s.count
                )));
            }
            return Ok((
                s,
                format!("shard {} of {} (from --shard)", s.index, s.count),
            ));
        }
    }
    if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
        let count = num("SLURM_ARRAY_TASK_COUNT")?.ok_or_else(|| {
            bad("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not".into())
        })?;
        let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let max = num("SLURM_ARRAY_TASK_MAX")?;
        if let Some(max) = max
            && max.checked_sub(min).map(|d| d as u64 + 1) != Some(count as u64)
        {
            return Err(bad(format!(
                "the Slurm array {min}-{max} has {count} tasks: its indices are not contiguous (submit with --array={min}-{}, no step or list)",
                min as u64 + count as u64 - 1
            )));
        }
        if shards.is_some_and(|n| n != count) {
            return Err(bad(format!(
                "--shards {} disagrees with SLURM_ARRAY_TASK_COUNT={count}",
                shards.unwrap_or(0)
            )));
        }
        let index = id.checked_sub(min).filter(|&i| i < count).ok_or_else(|| {
            bad(format!(
                "SLURM_ARRAY_TASK_ID={id} is outside the array (SLURM_ARRAY_TASK_MIN={min}, SLURM_ARRAY_TASK_COUNT={count})"
            ))
        })?;
        check_count(count).map_err(bad)?;
        return Ok((
            ShardOf { index, count },
            format!(
                "shard {index} of {count} (from SLURM_ARRAY_TASK_ID={id}, SLURM_ARRAY_TASK_MIN={min}, SLURM_ARRAY_TASK_COUNT={count})"
            ),
        ));
    }
    if let Some(index) = num("JOB_COMPLETION_INDEX")? {
        let count = shards.ok_or_else(|| {
            bad("JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job): give the number of shards, the Job's completions, with --shards N".into())
        })?;
        check_count(count).map_err(bad)?;
        if index >= count {
            return Err(bad(format!(
                "JOB_COMPLETION_INDEX={index} is not below --shards {count}"
            )));
        }
        return Ok((
            ShardOf { index, count },
            format!(
                "shard {index} of {count} (from JOB_COMPLETION_INDEX={index}, --shards {count})"
            ),
        ));
    }
    Err(bad(
        "neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; give --shard I/N".into(),
    ))
}

fn check_count(count: u32) -> Result<(), String> {
    if count == 0 || count > MAX_SHARDS {
        return Err(format!("{count} shards: expected 1 to {MAX_SHARDS}"));
    }
    Ok(())
}

/// The contiguous slice of `0..total` that shard `s` runs: the first `total % count`
/// shards hold one more than the rest.
pub fn slice(s: ShardOf, total: u32) -> Range<u32> {
    let at = |i: u32| (i as u64 * total as u64 / s.count as u64) as u32;
    at(s.index)..at(s.index + 1)
}

/// The folder of shard `s` under `out`: `shard-0007-of-0100`, so that `hormuz merge
/// OUT/shard-*` lists them in order.
pub fn folder(s: ShardOf) -> String {
    let w = s.count.to_string().len().max(1);
    format!("shard-{:0w$}-of-{:0w$}", s.index, s.count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn shards_come_from_the_flag_slurm_or_kubernetes() {
        let of = |index, count| ShardOf { index, count };
        assert_eq!(parse_shard("2/5"), Ok(ShardSpec::Given(of(2, 5))));
        assert_eq!(parse_shard("auto"), Ok(ShardSpec::Auto));
        for bad in ["5/5", "1/0", "a/3", "3", "-1/4", "1/100001"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
        let slurm = [
            ("SLURM_ARRAY_TASK_ID", "12"),
            ("SLURM_ARRAY_TASK_MIN", "10"),
            ("SLURM_ARRAY_TASK_MAX", "13"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        let (s, said) = resolve(ShardSpec::Auto, None, &env(&slurm)).unwrap();
        assert_eq!(s, of(2, 4));
        assert!(said.contains("SLURM_ARRAY_TASK_MIN=10"), "{said}");
        let stepped = [
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "6"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        assert!(resolve(ShardSpec::Auto, None, &env(&stepped)).is_err());
        let k8s = [("JOB_COMPLETION_INDEX", "3")];
        assert_eq!(
            resolve(ShardSpec::Auto, Some(8), &env(&k8s)).unwrap().0,
            of(3, 8)
        );
        assert!(resolve(ShardSpec::Auto, None, &env(&k8s)).is_err());
        assert!(resolve(ShardSpec::Auto, Some(3), &env(&k8s)).is_err());
        assert!(resolve(ShardSpec::Auto, Some(3), &env(&[])).is_err());
    }

    #[test]
    fn slices_tile_the_run() {
        for (total, count) in [(10, 3), (1000, 7), (5, 5), (1_000_000, 100)] {
            let mut next = 0;
            for index in 0..count {
                let r = slice(ShardOf { index, count }, total);
                assert_eq!(r.start, next);
                assert!(r.len() as u32 >= total / count);
                next = r.end;
            }
            assert_eq!(next, total);
        }
        assert_eq!(
            folder(ShardOf {
                index: 7,
                count: 100
            }),
            "shard-007-of-100"
        );
    }
}
