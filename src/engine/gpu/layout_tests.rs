//! The WGSL structs and constants against their Rust twins, read by naga from the shader
//! text: a field added, moved or resized on one side only fails here, before any GPU runs.

use std::collections::HashMap;
use std::mem::{offset_of, size_of};

use super::*;
use crate::engine::cpu;
use crate::engine::layout::*;
use crate::engine::rng;

/// Rust names that are WGSL reserved words, and what the shaders call them.
const RENAMED: [(&str, &str, &str); 2] = [
    ("Track", "target", "target_asset"),
    ("WeaponRow", "class", "threat_class"),
];

fn size_of_field<T, F>(_: fn(&T) -> &F) -> usize {
    size_of::<F>()
}

/// (struct name, size, [(field, offset, size)]) of a Rust struct.
macro_rules! rust_layout {
    ($t:ident { $($f:ident),* $(,)? }) => {
        (
            stringify!($t),
            size_of::<$t>(),
            vec![$((
                stringify!($f),
                offset_of!($t, $f),
                size_of_field(|s: &$t| &s.$f),
            )),*],
        )
    };
}

/// A struct's name, size and (field, offset, size) list.
type StructLayout = (&'static str, usize, Vec<(&'static str, usize, usize)>);

fn rust_structs() -> Vec<StructLayout> {
    vec![
        rust_layout!(Params {
            tick,
            seed,
            replicates,
            first_replicate,
            tracks,
            started,
            batteries,
            slots,
            assets,
            weapons,
            groups,
            launcher_words,
            counters,
            slot_counters,
            record_first,
            record_count,
            fire_control,
            drawn_index,
            drawn_base,
            drawn_words,
        }),
        rust_layout!(Started {
            group,
            first_track,
            tracks,
            _pad
        }),
        rust_layout!(Track {
            group,
            offset,
            launcher,
            weapon,
            target,
            flight,
            opp_first,
            opp_count,
            detect,
            launch_ok,
            stream,
            jitter,
            separation,
            aim_x,
            aim_y,
            evade,
        }),
        rust_layout!(WeaponRow {
            class,
            flight_ok,
            scatter,
            submunitions,
            sub_scatter,
        }),
        rust_layout!(Opportunity {
            slot,
            battery,
            enter,
            exit,
            rank,
            hit_first,
            hit_last,
            step,
            flyout,
        }),
        rust_layout!(SlotRow {
            battery,
            interceptor,
            capacity,
            per_reload,
            reload_ticks,
            reliability,
            doctrine,
        }),
        rust_layout!(BatteryRow {
            channels,
            host,
            tier,
            online,
            channel_first,
            radar_tracks,
            radar_first,
            prediction,
            discrimination,
            _pad0,
            _pad1,
            _pad2,
        }),
        rust_layout!(AssetRow {
            side,
            staying_power,
            hardness,
            radius2,
            vertex_first,
            vertex_count,
        }),
        rust_layout!(Threat {
            status,
            launch,
            fail_age,
            done,
            last_opp,
            engagements,
            shot_opp,
            shots,
            intercept_at,
            free_at,
        }),
        rust_layout!(MagazineState {
            ready,
            reserve,
            reload_at,
            empty_at
        }),
        rust_layout!(AssetState {
            hits,
            damage,
            out_at,
            away
        }),
        rust_layout!(Event {
            tick,
            track,
            kind,
            arg
        }),
    ]
}

fn common_module() -> naga::Module {
    naga::front::wgsl::parse_str(COMMON_WGSL)
        .unwrap_or_else(|e| panic!("common.wgsl: {}", e.emit_to_string(COMMON_WGSL)))
}

#[test]
fn every_struct_has_the_same_size_fields_and_offsets_in_wgsl() {
    let module = common_module();
    let gctx = module.to_ctx();
    let mut wgsl = HashMap::new();
    for (_, ty) in module.types.iter() {
        if let (Some(name), naga::TypeInner::Struct { members, span }) = (&ty.name, &ty.inner) {
            wgsl.insert(name.clone(), (members.clone(), *span));
        }
    }
    let structs = rust_structs();
    assert_eq!(
        structs.len(),
        wgsl.len(),
        "common.wgsl declares structs that layout.rs does not (or the reverse)"
    );
    for (name, size, fields) in structs {
        let (members, span) = wgsl
            .get(name)
            .unwrap_or_else(|| panic!("struct {name} is missing from common.wgsl"));
        assert_eq!(
            *span as usize, size,
            "{name}: {size} bytes in Rust, {span} in WGSL"
        );
        assert_eq!(
            members.len(),
            fields.len(),
            "{name}: {} fields in Rust, {} in WGSL",
            fields.len(),
            members.len()
        );
        for ((field, offset, bytes), m) in fields.iter().zip(members) {
            let expected = RENAMED
                .iter()
                .find(|(s, f, _)| *s == name && f == field)
                .map_or(*field, |r| r.2);
            let got = m.name.as_deref().unwrap_or("");
            assert_eq!(got, expected, "{name}: field order differs at {field}");
            assert_eq!(
                m.offset as usize, *offset,
                "{name}.{field}: offset {offset} in Rust, {} in WGSL",
                m.offset
            );
            let wsize = module.types[m.ty].inner.size(gctx) as usize;
            assert_eq!(
                wsize, *bytes,
                "{name}.{field}: {bytes} bytes in Rust, {wsize} in WGSL"
            );
        }
    }
}

/// Every constant the shaders declare, with its Rust twin's value.
fn rust_constants() -> Vec<(&'static str, u32)> {
    let asset_word = |offset: usize| (offset / size_of::<u32>()) as u32;
    vec![
        ("NEVER", NEVER),
        ("NONE", NONE),
        ("DONE", DONE),
        ("MAX_BATTERIES", MAX_BATTERIES as u32),
        ("MAX_OPPORTUNITIES", MAX_OPPORTUNITIES as u32),
        ("MAX_ENGAGEMENTS", MAX_ENGAGEMENTS as u32),
        ("PENDING", PENDING),
        ("FLYING", FLYING),
        ("KILLED", KILLED),
        ("LEAKED", LEAKED),
        ("FAILED_LAUNCH", FAILED_LAUNCH),
        ("FAILED_FLIGHT", FAILED_FLIGHT),
        ("ABORTED", ABORTED),
        ("VANISHED", VANISHED),
        ("STATUS_MASK", STATUS_MASK),
        ("DETECTED", DETECTED),
        ("C_LAUNCHED", C_LAUNCHED),
        ("C_FAILED_LAUNCH", C_FAILED_LAUNCH),
        ("C_FAILED_FLIGHT", C_FAILED_FLIGHT),
        ("C_INTERCEPTED", C_INTERCEPTED),
        ("C_LEAKED", C_LEAKED),
        ("C_ABORTED", C_ABORTED),
        ("C_UNDETECTED", C_UNDETECTED),
        ("C_IGNORED", C_IGNORED),
        ("C_IGNORED_INSIDE", C_IGNORED_INSIDE),
        ("C_DECOY_ENGAGEMENTS", C_DECOY_ENGAGEMENTS),
        ("C_DECOY_ROUNDS", C_DECOY_ROUNDS),
        ("C_DECOY_KILLED", C_DECOY_KILLED),
        ("WEAPON_COUNTERS", WEAPON_COUNTERS),
        ("C_FIRED", C_FIRED),
        ("C_KILLS", C_KILLS),
        ("C_ENGAGEMENTS", C_ENGAGEMENTS),
        ("C_MALFUNCTIONS", C_MALFUNCTIONS),
        ("SLOT_COUNTERS", SLOT_COUNTERS),
        ("E_LAUNCH", E_LAUNCH),
        ("E_LAUNCH_FAILED", E_LAUNCH_FAILED),
        ("E_FLIGHT_FAILED", E_FLIGHT_FAILED),
        ("E_ABORTED", E_ABORTED),
        ("E_ENGAGED", E_ENGAGED),
        ("E_KILLED", E_KILLED),
        ("E_LEAKED", E_LEAKED),
        ("EVENTS_PER_THREAT_TICK", EVENTS_PER_THREAT_TICK),
        ("LEAK_HIT", LEAK_HIT),
        ("LEAK_DAMAGE", LEAK_DAMAGE),
        ("LEAK_HITS_SHIFT", LEAK_HITS_SHIFT),
        ("LEAK_DAMAGE_SHIFT", LEAK_DAMAGE_SHIFT),
        ("FRAME_M", FRAME_M),
        ("FRAME_LIMIT", FRAME_LIMIT as u32),
        ("OFF_FRAME", OFF_FRAME),
        ("QUANTILE_KNOTS", QUANTILE_KNOTS),
        ("QUANTILE_BITS", QUANTILE_BITS),
        ("ANGLES", ANGLES),
        ("TRIG_BITS", TRIG_BITS),
        ("Q_BASE", Q_BASE),
        ("COS_BASE", COS_BASE),
        ("SIN_BASE", SIN_BASE),
        ("KILL_BASE", KILL_BASE),
        ("WEAPON_WORDS", WEAPON_WORDS),
        ("FLYOUT_KNOTS", FLYOUT_KNOTS),
        ("MAX_FLYOUT", MAX_FLYOUT),
        ("S_ASSETS_CHANGED", S_ASSETS_CHANGED as u32),
        ("S_OVERFLOW", S_OVERFLOW as u32),
        ("STATUS_WORDS", STATUS_WORDS as u32),
        ("D_LAUNCH", rng::D_LAUNCH),
        ("D_DETECT", rng::D_DETECT),
        ("D_FLIGHT", rng::D_FLIGHT),
        ("D_FAIL_AGE", rng::D_FAIL_AGE),
        ("D_SCATTER", rng::D_SCATTER),
        ("D_DAMAGE", rng::D_DAMAGE),
        ("D_STRIKE", rng::D_STRIKE),
        ("D_SCATTER_ANGLE", rng::D_SCATTER_ANGLE),
        ("D_TIMING", rng::D_TIMING),
        ("D_EVADE", rng::D_EVADE),
        ("D_KILL", rng::D_KILL),
        ("D_WORKS", rng::D_WORKS),
        ("D_DISCRIMINATE", rng::D_DISCRIMINATE),
        ("D_PREDICT", rng::D_PREDICT),
        ("D_SUB", rng::D_SUB),
        ("OPP_CLOSED", cpu::OPP_CLOSED),
        ("OPP_SPENT", cpu::OPP_SPENT),
        ("OPP_WAIT", cpu::OPP_WAIT),
        ("OPP_READY", cpu::OPP_READY),
        ("L_GROUPS", L_GROUPS as u32),
        ("L_COUNT", L_COUNT as u32),
        ("LIST_HEADER", LIST_HEADER as u32),
        ("MAX_LIST_GROUPS", MAX_LIST_GROUPS),
        ("S_LOOP_LIMIT", S_LOOP_LIMIT as u32),
        ("S_LATE_WAKE", S_LATE_WAKE as u32),
        ("WHEEL_SHIFT", WHEEL_SHIFT),
        ("WHEEL", WHEEL),
        ("WHEEL_WORDS", WHEEL_WORDS),
        ("CAL_PAGE", CAL_PAGE),
        ("CAL_NEXT", CAL_NEXT),
        ("CAL_OVERFLOW_MIN", CAL_OVERFLOW_MIN),
        ("CAL_OVERFLOW", CAL_OVERFLOW),
        ("CAL_NEAR_BITS", CAL_NEAR_BITS),
        ("CAL_FAR_BITS", CAL_FAR_BITS),
        ("CAL_NEAR", CAL_NEAR),
        ("CAL_FAR", CAL_FAR),
        ("CAL_FAR_MIN", CAL_FAR_MIN),
        ("CALENDAR_WORDS", CALENDAR_WORDS),
        ("CLOCK_NEXT", CLOCK_NEXT as u32),
        ("CLOCK_LANES", CLOCK_LANES as u32),
        ("CLOCK_STEPS", CLOCK_STEPS as u32),
        ("CLOCK_TICK", CLOCK_TICK as u32),
        ("CLOCK_LAST", CLOCK_LAST as u32),
        ("CLOCK_TICKS", CLOCK_TICKS as u32),
        ("CLOCK_UNTIL", CLOCK_UNTIL as u32),
        ("CLOCK_STOP_ON_HIT", CLOCK_STOP_ON_HIT as u32),
        ("EVENT_TICKS", EVENT_TICKS),
        ("CLOCK_WORDS", CLOCK_WORDS as u32),
        ("LIST_WORKGROUP", WORKGROUP),
        // impact.wgsl: the words of an `AssetState` in the atomic view of `assets`.
        ("ASSET_HITS", asset_word(offset_of!(AssetState, hits))),
        ("ASSET_DAMAGE", asset_word(offset_of!(AssetState, damage))),
        ("ASSET_OUT_AT", asset_word(offset_of!(AssetState, out_at))),
        ("ASSET_AWAY", asset_word(offset_of!(AssetState, away))),
    ]
}

/// (name, value) of every constant a WGSL module declares.
fn wgsl_constants(module: &naga::Module, what: &str) -> HashMap<String, u32> {
    let mut out = HashMap::new();
    for (_, c) in module.constants.iter() {
        let value = match module.global_expressions[c.init] {
            naga::Expression::Literal(naga::Literal::U32(v)) => v,
            // The frame's bound, an i32: compared by its bits.
            naga::Expression::Literal(naga::Literal::I32(v)) => v as u32,
            ref other => panic!(
                "{what}: constant {:?} is not a u32 literal: {other:?}",
                c.name
            ),
        };
        out.insert(c.name.clone().unwrap_or_default(), value);
    }
    out
}

#[test]
fn every_constant_has_the_same_value_in_wgsl() {
    // common.wgsl, and each kernel with it: a kernel's own constants are checked too.
    let rust: HashMap<&str, u32> = rust_constants().into_iter().collect();
    let mut seen = std::collections::HashSet::new();
    let common = wgsl_constants(&common_module(), "common.wgsl");
    let kernels = KERNELS.iter().chain([&CLOCK_KERNEL]).map(|(name, text)| {
        let source = kernel_source(text);
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("{name}.wgsl: {}", e.emit_to_string(&source)));
        (*name, wgsl_constants(&module, name))
    });
    for (what, wgsl) in std::iter::once(("common", common)).chain(kernels) {
        for (name, got) in &wgsl {
            let value = rust
                .get(name.as_str())
                .unwrap_or_else(|| panic!("{what}.wgsl: constant {name} has no Rust twin"));
            assert_eq!(
                got, value,
                "{what}.wgsl: {name}: {value:#x} in Rust, {got:#x} in WGSL"
            );
            seen.insert(name.clone());
        }
    }
    for name in rust.keys() {
        assert!(
            seen.contains(*name),
            "constant {name} is missing from the shaders"
        );
    }
}

#[test]
fn every_kernel_validates_and_fits_sixteen_storage_buffers() {
    for &(name, text) in KERNELS.iter().chain([&CLOCK_KERNEL]) {
        let used = used_bindings(&kernel_source(text), name).unwrap_or_else(|e| panic!("{e}"));
        let storage = used
            .iter()
            .filter(|&&b| b != binding::PARAMS && b != binding::BATTERIES)
            .count();
        assert!(
            storage <= 16,
            "{name} binds {storage} storage buffers: more than GL allows"
        );
        assert!(used.contains(&binding::PARAMS), "{name} must read params");
    }
}

#[test]
fn the_binding_table_matches_the_shader_declarations() {
    // Every binding a kernel declares has the number `binding::*` gives its name.
    let expected: &[(&str, u32)] = &[
        ("params", binding::PARAMS),
        ("tracks", binding::TRACKS),
        ("opportunities", binding::OPPORTUNITIES),
        ("slots", binding::SLOTS),
        ("batteries", binding::BATTERIES),
        ("asset_rows", binding::ASSET_ROWS),
        ("started", binding::STARTED),
        ("threats", binding::THREATS),
        ("wake", binding::WAKE),
        ("candidates", binding::CANDIDATES),
        ("magazines", binding::MAGAZINES),
        ("counters", binding::COUNTERS),
        ("assets", binding::ASSETS),
        ("group_start", binding::GROUP_START),
        ("launchers", binding::LAUNCHERS),
        ("events", binding::EVENTS),
        ("status", binding::STATUS),
        ("asset_words", binding::ASSET_WORDS),
        ("clock", binding::CLOCK),
        ("calendar", binding::CALENDAR),
        ("link", binding::LINK),
        ("pairs", binding::PAIRS),
        ("lanes", binding::LANES),
        ("tables", binding::TABLES),
        ("fire_control", binding::FIRE_CONTROL),
    ];
    for &(kernel, text) in KERNELS.iter().chain([&CLOCK_KERNEL]) {
        let source = kernel_source(text);
        let module = naga::front::wgsl::parse_str(&source).expect("parses");
        for (_, v) in module.global_variables.iter() {
            let (Some(name), Some(b)) = (&v.name, &v.binding) else {
                continue;
            };
            let want = expected
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("{kernel}: binding {name} is not in binding::*"));
            assert_eq!(b.group, 0, "{kernel}: {name} is not in group 0");
            assert_eq!(b.binding, want.1, "{kernel}: {name} has the wrong number");
        }
    }
}
