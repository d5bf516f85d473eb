//! How a run's replicates are split into batches: each per-replicate buffer of a batch
//! must fit the adapter's storage binding limit, each dispatch its workgroup limit, and
//! each listed pair (a threat row index) a u32. A pure function of the limits and the
//! plan's sizes, tested without a device.

use super::{LIST_HEADER, WORKGROUP};
use crate::engine::layout::*;
use crate::engine::plan::Plan;

/// What the adapter allows that decides the batches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchLimits {
    /// Bytes of the largest storage buffer a kernel may bind (and create).
    pub storage_binding: u64,
    /// Workgroups a dispatch may ask for along one dimension.
    pub workgroups_per_dimension: u32,
}

impl BatchLimits {
    pub fn of(limits: &wgpu::Limits) -> BatchLimits {
        BatchLimits {
            storage_binding: limits
                .max_storage_buffer_binding_size
                .min(limits.max_buffer_size),
            workgroups_per_dimension: limits.max_compute_workgroups_per_dimension,
        }
    }

    /// Bytes a per-replicate buffer may hold: a work list has a header besides.
    fn per_replicate_bytes(&self) -> u64 {
        self.storage_binding.saturating_sub(LIST_HEADER * 4)
    }
}

/// The sizes of one run that decide its batches, in rows per replicate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunShape {
    pub tracks: u64,
    pub slots: u64,
    pub assets: u64,
    pub groups: u64,
    pub launcher_words: u64,
    /// Fire-control words per replicate (channels, radar tracks).
    pub fire_control: u64,
    /// Counters per replicate.
    pub counters: u64,
    pub batteries: u64,
    /// Replicates that record events.
    pub recorded: u64,
}

impl RunShape {
    pub fn of(plan: &Plan, recorded: u32) -> RunShape {
        RunShape {
            tracks: plan.tracks.len() as u64,
            slots: plan.slots.len() as u64,
            assets: plan.assets.len() as u64,
            groups: plan.groups.len() as u64,
            launcher_words: plan.launcher_words as u64,
            fire_control: plan.fire_control.len() as u64,
            counters: plan.counter_stride() as u64,
            batteries: plan.batteries.len() as u64,
            recorded: recorded as u64,
        }
    }

    /// Bytes of the event buffer: room for every recorded replicate's events of a tick.
    pub fn event_bytes(&self) -> u64 {
        self.recorded
            * event_capacity(self.tracks as usize) as u64
            * std::mem::size_of::<Event>() as u64
    }

    /// Bytes of one replicate's widest per-replicate buffer.
    fn widest_row(&self) -> u64 {
        [
            self.tracks * std::mem::size_of::<Threat>() as u64,
            // The candidate counts and the list of replicates come with each row of
            // `lanes`; the threat rows' indices in `pairs`.
            (self.tracks + 1) * 4,
            self.slots * std::mem::size_of::<MagazineState>() as u64,
            self.counters * 4,
            self.assets * std::mem::size_of::<AssetState>() as u64,
            self.groups * 4,
            self.launcher_words * 4,
            self.fire_control * 4,
        ]
        .into_iter()
        .max()
        .unwrap_or(4)
        .max(4)
    }
}

/// Replicates per batch, in order: as few batches as the limits allow (and at most
/// `max_batch` replicates each, which tests use to force several), as even as can be.
/// An error says which limit a single replicate already breaks.
pub fn batch_sizes(
    limits: &BatchLimits,
    shape: &RunShape,
    replicates: u32,
    max_batch: Option<u32>,
) -> Result<Vec<u32>, String> {
    let per_batch = largest_batch(limits, shape)?.min(max_batch.unwrap_or(u32::MAX).max(1));
    let n_batches = replicates.div_ceil(per_batch).max(1);
    let size = replicates.div_ceil(n_batches).max(1);
    let mut sizes = Vec::with_capacity(n_batches as usize);
    let mut first = 0;
    while first < replicates {
        let n = size.min(replicates - first);
        sizes.push(n);
        first += n;
    }
    Ok(sizes)
}

/// The most replicates one batch of device buffers holds under the limits. A run's batch
/// (`world::run_batches`) larger than this would dispatch several device batches at every
/// tick it visits; on lavapipe that costs several times what the same replicates cost in
/// run batches of one device batch each (README, Speed), so a run on the GPU never asks
/// for more (`world::Engine::batch`).
pub fn largest_batch(limits: &BatchLimits, shape: &RunShape) -> Result<u32, String> {
    if shape.batteries > MAX_BATTERIES as u64 {
        return Err(format!(
            "{} batteries; the kernels handle at most {MAX_BATTERIES}",
            shape.batteries
        ));
    }
    let binding_limit = limits.per_replicate_bytes();
    let widest_row = shape.widest_row();
    let by_binding = binding_limit / widest_row;
    if by_binding == 0 {
        return Err(format!(
            "one replicate needs a {widest_row}-byte buffer; the adapter binds at most \
             {binding_limit} bytes"
        ));
    }
    let event_bytes = shape.event_bytes();
    if event_bytes > binding_limit {
        return Err(format!(
            "recording events for {} replicates needs {event_bytes} bytes; the adapter \
             binds at most {binding_limit}: record fewer replicates",
            shape.recorded
        ));
    }
    let max_groups = limits.workgroups_per_dimension as u64;
    let t = shape.tracks;
    if t > max_groups * max_groups {
        return Err(format!("{t} tracks exceed what one dispatch can cover"));
    }
    Ok(by_binding
        .min(max_groups * WORKGROUP as u64)
        // Listed pairs are threat rows, u32 indices.
        .min(u32::MAX as u64 / t.max(1))
        .clamp(1, u32::MAX as u64) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// lavapipe's limits: 128 MiB bindings, 65,535 workgroups a dimension.
    const LAVAPIPE: BatchLimits = BatchLimits {
        storage_binding: 128 << 20,
        workgroups_per_dimension: 65535,
    };

    fn shape(tracks: u64, recorded: u64) -> RunShape {
        RunShape {
            tracks,
            slots: 40,
            assets: 30,
            groups: 20,
            launcher_words: 4,
            fire_control: 60,
            counters: 12 * 10 + 4 * 40,
            batteries: 20,
            recorded,
        }
    }

    #[test]
    fn a_small_run_is_one_batch() {
        assert_eq!(
            batch_sizes(&LAVAPIPE, &shape(2000, 1), 32, None),
            Ok(vec![32])
        );
    }

    #[test]
    fn no_replicates_no_batches() {
        assert_eq!(batch_sizes(&LAVAPIPE, &shape(2000, 0), 0, None), Ok(vec![]));
    }

    #[test]
    fn a_cap_on_the_batch_splits_as_evenly_as_it_can() {
        let s = shape(2000, 4);
        assert_eq!(
            batch_sizes(&LAVAPIPE, &s, 17, Some(5)),
            Ok(vec![5, 5, 5, 2])
        );
        assert_eq!(batch_sizes(&LAVAPIPE, &s, 9, Some(1)), Ok(vec![1; 9]));
        assert_eq!(batch_sizes(&LAVAPIPE, &s, 10, Some(4)), Ok(vec![4, 4, 2]));
    }

    #[test]
    fn the_binding_limit_decides_the_batch() {
        // 2000 threat rows of 40 bytes: 80,000 bytes a replicate, so 1,677 replicates to
        // a 128 MiB binding (less the list header).
        let s = shape(2000, 1);
        let per = (LAVAPIPE.storage_binding - 16) / 80_000;
        assert_eq!(per, 1677);
        let sizes = batch_sizes(&LAVAPIPE, &s, 10_000, None).unwrap();
        assert_eq!(sizes, vec![1667, 1667, 1667, 1667, 1667, 1665]);
        assert!(sizes.iter().all(|&n| n as u64 <= per));
        let sizes = batch_sizes(&LAVAPIPE, &s, 1678, None).unwrap();
        assert_eq!(sizes, vec![839, 839]);
        // The largest batch is that limit: a run batch of at most this many replicates is
        // one device batch.
        assert_eq!(largest_batch(&LAVAPIPE, &s), Ok(1677));
        assert_eq!(batch_sizes(&LAVAPIPE, &s, 1677, None).unwrap(), vec![1677]);
    }

    #[test]
    fn the_workgroup_limit_caps_the_replicates_of_a_dispatch() {
        // 64 replicates a workgroup along x, at most 2 workgroups.
        let limits = BatchLimits {
            workgroups_per_dimension: 2,
            ..LAVAPIPE
        };
        let sizes = batch_sizes(&limits, &shape(2, 0), 300, None).unwrap();
        assert_eq!(sizes, vec![100, 100, 100]);
    }

    #[test]
    fn listed_pairs_stay_u32_indices() {
        // With 2^20 tracks, a batch of more than 4,095 replicates would list threat rows
        // past u32::MAX.
        let limits = BatchLimits {
            storage_binding: u64::MAX / 2,
            workgroups_per_dimension: 65535,
        };
        let sizes = batch_sizes(&limits, &shape(1 << 20, 0), 10_000, None).unwrap();
        assert!(
            sizes
                .iter()
                .all(|&n| (n as u64) * (1 << 20) <= u32::MAX as u64)
        );
        assert_eq!(sizes.iter().sum::<u32>(), 10_000);
    }

    #[test]
    fn a_replicate_too_wide_for_one_binding_is_an_error() {
        let limits = BatchLimits {
            storage_binding: 1 << 16,
            ..LAVAPIPE
        };
        let e = batch_sizes(&limits, &shape(4000, 0), 1, None).unwrap_err();
        assert!(
            e.contains("one replicate needs a 160000-byte buffer"),
            "{e}"
        );
    }

    #[test]
    fn too_many_recorded_replicates_is_an_error() {
        // 2000 tracks x 3 events x 2 ticks x 16 bytes = 192,000 bytes a recorded replicate.
        let e = batch_sizes(&LAVAPIPE, &shape(2000, 2000), 2000, None).unwrap_err();
        assert!(e.contains("record fewer replicates"), "{e}");
    }

    #[test]
    fn more_batteries_than_the_kernels_hold_is_an_error() {
        let s = RunShape {
            batteries: MAX_BATTERIES as u64 + 1,
            ..shape(10, 0)
        };
        let e = batch_sizes(&LAVAPIPE, &s, 1, None).unwrap_err();
        assert!(e.contains("the kernels handle at most 128"), "{e}");
    }

    #[test]
    fn more_tracks_than_a_dispatch_covers_is_an_error() {
        let limits = BatchLimits {
            workgroups_per_dimension: 10,
            ..LAVAPIPE
        };
        let e = batch_sizes(&limits, &shape(101, 0), 1, None).unwrap_err();
        assert!(e.contains("101 tracks exceed"), "{e}");
    }
}
