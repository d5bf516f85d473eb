//! The process-wide device: instance, adapter, device, queue, the five compiled kernels,
//! and the buffer helpers every GPU module uses.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock, mpsc};

use bytemuck::Pod;
use wgpu::util::DeviceExt;

use super::bindings::{binding, used_bindings};
use super::{CLOCK_KERNEL, KERNELS, kernel_source};

/// The message when wgpu finds no adapter at all.
pub const NO_ADAPTER: &str = "no GPU adapter found: install Mesa's lavapipe \
     (apt-get install mesa-vulkan-drivers) or a GPU driver";

/// One kernel's compiled pipeline and what it binds.
pub(super) struct Pipeline {
    pub(super) name: &'static str,
    pub(super) pipeline: wgpu::ComputePipeline,
    pub(super) layout: wgpu::BindGroupLayout,
    /// Binding numbers its entry point uses, ascending.
    pub(super) bindings: Vec<u32>,
}

/// One device and the compiled kernels, shared by every run in the process.
pub struct GpuContext {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub adapter: wgpu::AdapterInfo,
    pub limits: wgpu::Limits,
    /// Timestamp queries are available (for kernel timings).
    pub timestamps: bool,
    /// In `KERNELS` order.
    pub(super) kernels: Vec<Pipeline>,
    /// The first error the device reported outside an error scope (wgpu's default is to
    /// panic), taken by the next wait and returned from it.
    failure: Arc<Mutex<Option<String>>>,
}

static SHARED: OnceLock<Result<Arc<GpuContext>, String>> = OnceLock::new();

impl GpuContext {
    /// A new device on the adapter that `WGPU_BACKEND` (vulkan, gl, ...),
    /// `WGPU_ADAPTER_NAME` and `WGPU_POWER_PREF` select, or the default one.
    pub fn new() -> Result<GpuContext, String> {
        // The kernels write their own indirect dispatch arguments, always within the
        // limits (see `shaders/common.wgsl`), so wgpu's check of them, one more dispatch
        // for each, is left off unless WGPU_VALIDATION_INDIRECT_CALL asks for it.
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.flags = wgpu::InstanceFlags::from_build_config()
            .difference(wgpu::InstanceFlags::VALIDATION_INDIRECT_CALL);
        let instance = wgpu::Instance::new(desc.with_env());
        let adapter = pollster::block_on(pick_adapter(&instance))?;
        let features = adapter.features() & wgpu::Features::TIMESTAMP_QUERY;
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("hormuz"),
            required_features: features,
            required_limits: limits.clone(),
            memory_hints: wgpu::MemoryHints::Performance,
            ..Default::default()
        }))
        .map_err(|e| format!("cannot open the GPU device: {e}"))?;
        let kernels = compile(&device, &limits)?;
        let failure = Arc::new(Mutex::new(None));
        let sink = failure.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            if let Ok(mut first) = sink.lock() {
                first.get_or_insert_with(|| e.to_string());
            }
        }));
        Ok(GpuContext {
            device,
            queue,
            adapter: adapter.get_info(),
            limits,
            timestamps: !features.is_empty(),
            kernels,
            failure,
        })
    }

    /// The process-wide context, created on first use; the error, if any, is kept too.
    pub fn shared() -> Result<Arc<GpuContext>, String> {
        SHARED
            .get_or_init(|| GpuContext::new().map(Arc::new))
            .clone()
    }

    /// "name (backend)", e.g. "llvmpipe (LLVM 15.0.6, 256 bits) (vulkan)".
    pub fn describe(&self) -> String {
        format!("{} ({})", self.adapter.name, self.adapter.backend)
    }

    /// Wait for everything submitted so far; an error the device reported meanwhile is
    /// returned here.
    pub(super) fn wait(&self) -> Result<(), String> {
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| format!("GPU wait failed: {e}"))?;
        let reported = self.failure.lock().ok().and_then(|mut f| f.take());
        match reported {
            Some(e) => Err(format!("the GPU reported an error: {e}")),
            None => Ok(()),
        }
    }

    /// Map `range` of a MAP_READ buffer after the work submitted so far, copy it out as
    /// `T`s (aligned for `T`, whatever the mapping's alignment), unmap.
    pub(super) fn read<T: Pod>(
        &self,
        buffer: &wgpu::Buffer,
        range: Range<u64>,
    ) -> Result<Vec<T>, String> {
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let n = (range.end - range.start) as usize / std::mem::size_of::<T>();
        let slice = buffer.slice(range);
        let (tx, rx) = mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        self.wait()?;
        rx.recv()
            .map_err(|_| "GPU readback was dropped".to_string())?
            .map_err(|e| format!("GPU readback failed: {e}"))?;
        let mut out = vec![T::zeroed(); n];
        let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut out);
        let copied = slice
            .get_mapped_range()
            .map(|view| bytes.copy_from_slice(&view[..bytes.len()]));
        // Unmapped whatever happens, so that the next read can map it again.
        buffer.unmap();
        copied.map_err(|e| format!("GPU readback failed: {e:?}"))?;
        Ok(out)
    }

    pub(super) fn staging(&self, label: &str, size: u64) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: size.max(4).next_multiple_of(4),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// A storage buffer holding `data`, padded to at least 64 bytes (one row of every
    /// struct) so that empty tables still bind.
    pub(super) fn storage<T: Pod>(&self, label: &str, data: &[T]) -> wgpu::Buffer {
        let bytes: &[u8] = bytemuck::cast_slice(data);
        let usage = wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_DST
            | wgpu::BufferUsages::COPY_SRC;
        if bytes.len() >= 64 {
            self.device
                .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some(label),
                    contents: bytes,
                    usage,
                })
        } else {
            let mut padded = bytes.to_vec();
            padded.resize(64, 0);
            self.device
                .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some(label),
                    contents: &padded,
                    usage,
                })
        }
    }

    /// A zeroed storage buffer of `bytes` (at least 64).
    pub(super) fn zeroed(&self, label: &str, bytes: u64) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: bytes.max(64).next_multiple_of(4),
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_DST
                | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        })
    }

    /// A zeroed work list (see `shaders/common.wgsl`): storage for the kernels and the
    /// indirect dispatch arguments of those that run over it.
    pub(super) fn list(&self, label: &str, bytes: u64) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: bytes.max(64).next_multiple_of(4),
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::INDIRECT
                | wgpu::BufferUsages::COPY_DST
                | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        })
    }

    pub(super) fn uniform<T: Pod>(&self, label: &str, data: &[T]) -> wgpu::Buffer {
        self.device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: bytemuck::cast_slice(data),
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            })
    }
}

/// The five pipelines, in `KERNELS` order, each with the bindings its entry point uses.
fn compile(device: &wgpu::Device, limits: &wgpu::Limits) -> Result<Vec<Pipeline>, String> {
    let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let mut kernels = Vec::new();
    for &(name, text) in KERNELS.iter().chain([&CLOCK_KERNEL]) {
        let source = kernel_source(text);
        let bindings = used_bindings(&source, name)?;
        let storage = bindings
            .iter()
            .filter(|&&b| b != binding::PARAMS && b != binding::BATTERIES)
            .count() as u32;
        if storage > limits.max_storage_buffers_per_shader_stage {
            return Err(format!(
                "kernel {name} needs {storage} storage buffers; the adapter allows {}",
                limits.max_storage_buffers_per_shader_stage
            ));
        }
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(name),
            source: wgpu::ShaderSource::Wgsl(Cow::Owned(source)),
        });
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(name),
            layout: None,
            module: &module,
            entry_point: Some(name),
            compilation_options: Default::default(),
            cache: None,
        });
        let layout = pipeline.get_bind_group_layout(0);
        kernels.push(Pipeline {
            name,
            pipeline,
            layout,
            bindings,
        });
    }
    if let Some(e) = pollster::block_on(scope.pop()) {
        return Err(format!("the GPU rejected a kernel: {e}"));
    }
    Ok(kernels)
}

async fn pick_adapter(instance: &wgpu::Instance) -> Result<wgpu::Adapter, String> {
    if let Ok(want) = std::env::var("WGPU_ADAPTER_NAME") {
        let want = want.to_lowercase();
        let adapters = instance.enumerate_adapters(wgpu::Backends::all()).await;
        let names: Vec<String> = adapters.iter().map(|a| a.get_info().name).collect();
        return adapters
            .into_iter()
            .find(|a| a.get_info().name.to_lowercase().contains(&want))
            .ok_or_else(|| {
                format!(
                    "no GPU adapter matches WGPU_ADAPTER_NAME={want:?}; found: {}",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                )
            });
    }
    instance
        .request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::from_env().unwrap_or_default(),
            ..Default::default()
        })
        .await
        .map_err(|e| format!("{NO_ADAPTER} ({e})"))
}

/// The adapters of the primary APIs (Vulkan, Metal, DirectX 12; or those `WGPU_BACKEND`
/// names), without opening a device or compiling a kernel: what `--backend auto` looks
/// at before it pays for a device. GL is left out unless asked for: probing it connects
/// to a display server (Mesa then complains on stderr where there is none).
pub fn probe_adapters() -> Vec<wgpu::AdapterInfo> {
    let backends = wgpu::Backends::from_env().unwrap_or(wgpu::Backends::PRIMARY);
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
    desc.backends = backends;
    desc.flags = wgpu::InstanceFlags::from_build_config()
        .difference(wgpu::InstanceFlags::VALIDATION_INDIRECT_CALL);
    let instance = wgpu::Instance::new(desc);
    pollster::block_on(instance.enumerate_adapters(backends))
        .into_iter()
        .map(|a| a.get_info())
        .collect()
}

/// The adapter the GPU backend would use, as (name, backend), or `None` when there is
/// none (or its device cannot be opened).
pub fn adapter_info() -> Option<(String, String)> {
    GpuContext::shared()
        .ok()
        .map(|c| (c.adapter.name.clone(), c.adapter.backend.to_string()))
}
