# shellcheck shell=bash
# gpucore-lib.sh: the shell functions the selftests (selftests/helpers.bash),
# the benchmarks (bench/guest.sh), the stress run and the demo share: load
# and unload the driver, create vGPUs, and read the driver's debugfs state
# by key (its record format: the DOC in kmod/gpucore_debugfs.c). Plain
# bash, no bats; source it, run as root in the guest.
#
# Set before sourcing to override: GPUCORE_KO, GPUCORE_VFIO_KO (the
# modules to load), GPU (the GPU the vGPU and state functions use; 0).

GC_LIB_REPO=${BASH_SOURCE[0]%/*}/..
GPUCORE_KO=${GPUCORE_KO:-$GC_LIB_REPO/kmod/gpucore.ko}
GPUCORE_VFIO_KO=${GPUCORE_VFIO_KO:-${GPUCORE_KO%/*}/gpucore_vfio.ko}
SYSFS_GPU=/sys/bus/platform/devices/gpucore
DBG=/sys/kernel/debug/gpucore
MDEV_BUS=/sys/class/mdev_bus

# ---- the driver ------------------------------------------------------------

# modprobe_once MODULE: modprobe MODULE unless it is loaded (a modprobe
# costs a tenth of a second or more in the TCG guest, before every test).
modprobe_once() {
	[ -d "/sys/module/$1" ] || modprobe "$1"
}

# gpucore_load [PARAM=VALUE]...: load the driver (and the DRM modules it needs).
gpucore_load() {
	modprobe_once drm_shmem_helper || return 1
	insmod "$GPUCORE_KO" "$@"
}

# gpucore_unload: unload the driver (and its VFIO front end) if loaded;
# fails if it cannot be. A detached policy's struct_ops map holds a module
# reference until the map is freed, which the kernel does asynchronously
# (after an RCU tasks grace period): retry for a few seconds while the
# module is in use. An attached policy keeps it loaded: unload it first.
gpucore_unload() {
	local i
	gpucore_vfio_unload || return 1
	[ -d /sys/module/gpucore ] || return 0
	for i in $(seq 50); do
		rmmod gpucore 2>/dev/null && return 0
		[ -d /sys/module/gpucore ] || return 0
		sleep 0.1
	done
	rmmod gpucore
}

# gpucore_reload [PARAM=VALUE]...: a fresh driver.
gpucore_reload() {
	gpucore_unload && gpucore_load "$@"
}

# gpucore_vfio_load: load the VFIO front end (and the VFIO modules it needs).
gpucore_vfio_load() {
	modprobe_once vfio_iommu_type1 && modprobe_once mdev && insmod "$GPUCORE_VFIO_KO"
}

# mdev_types [GPU]: the mdev types directory of a GPU.
mdev_types() { echo "$MDEV_BUS/gpucore.${1:-0}/mdev_supported_types"; }

# mdev_create TYPE [UUID]: create a mediated device of TYPE; prints its UUID.
mdev_create() {
	local u=${2:-$(cat /proc/sys/kernel/random/uuid)}
	echo "$u" > "$(mdev_types)/gpucore-$1/create" || return 1
	echo "$u"
}

# vfio_vgpu UUID: the name of the vGPU of a mediated device.
vfio_vgpu() { echo "vfio-${1:0:8}"; }

# mdev_remove_all: remove every mediated device.
mdev_remove_all() {
	local d
	for d in /sys/bus/mdev/devices/*; do
		[ -e "$d/remove" ] && echo 1 > "$d/remove"
	done
	return 0
}

# gpucore_vfio_unload: remove the mediated devices and unload the VFIO
# front end, if loaded.
gpucore_vfio_unload() {
	[ -d /sys/module/gpucore_vfio ] || return 0
	mdev_remove_all
	rmmod gpucore_vfio
}

# ---- vGPUs -----------------------------------------------------------------

# gpu_sys [N]: the sysfs directory of GPU N (default $GPU, or 0).
gpu_sys() { echo "$SYSFS_GPU.${1:-${GPU:-0}}"; }

# vgpu_create NAME [KEY=VALUE]...: create a vGPU (sysfs vgpu_create).
vgpu_create() { echo "$*" > "$(gpu_sys)/vgpu_create"; }
# vgpu_destroy NAME
vgpu_destroy() { echo "$1" > "$(gpu_sys)/vgpu_destroy"; }
# vgpu_attr NAME ATTR: one of a vGPU's sysfs attributes.
vgpu_attr() { cat "$(gpu_sys)/vgpus/$1/$2"; }
# vgpu_node NAME: a vGPU's render node.
vgpu_node() { echo "/dev/dri/$(vgpu_attr "$1" render_node)"; }

# ---- the debugfs state -------------------------------------------------------

# debugfs_state [N]: GPU N's state records (default $GPU, or 0).
debugfs_state() { cat "$DBG/gpu${1:-${GPU:-0}}/state"; }

# GC_KV_AWK: an awk function kv() that splits the current record's
# key=value fields into the array f (the type stays in $1). Scripts that
# read saved snapshots in awk start their program with it.
# shellcheck disable=SC2016
GC_KV_AWK='function kv(   i, p) { split("", f); for (i = 2; i <= NF; i++) { p = index($i, "="); if (p) f[substr($i, 1, p - 1)] = substr($i, p + 1) } }'

# state_get [-f FILE] TYPE [KEY=VALUE]... FIELD...: the FIELDs of every
# TYPE record (gpu, engine, vgpu, channel) whose KEYs have those VALUEs,
# space-separated, one line per record, in the dump's order; from FILE
# (a saved debugfs_state or lateness) or else GPU $GPU's state.
state_get() {
	local file= type sel=() fld=() a
	if [ "$1" = -f ]; then
		file=$2
		shift 2
	fi
	type=$1
	shift
	for a in "$@"; do
		case $a in
		*=*) sel+=("$a") ;;
		*) fld+=("$a") ;;
		esac
	done
	awk -v type="$type" -v sel="${sel[*]}" -v fld="${fld[*]}" "$GC_KV_AWK"'
		BEGIN { ns = split(sel, S, " "); nf = split(fld, F, " ") }
		$1 != type { next }
		{
			kv()
			for (i = 1; i <= ns; i++) {
				p = index(S[i], "=")
				if (f[substr(S[i], 1, p - 1)] != substr(S[i], p + 1)) next
			}
			for (i = 1; i <= nf; i++) printf "%s%s", f[F[i]], (i < nf ? " " : "\n")
		}' "${file:-$DBG/gpu${GPU:-0}/state}"
}

# state_sum [-f FILE] TYPE [KEY=VALUE]... FIELD: FIELD summed over the
# matching records.
state_sum() {
	state_get "$@" | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# gpu_channels [N]: the channels alive on GPU N.
gpu_channels() { GPU=${1:-${GPU:-0}} state_get gpu channels; }

# engine_field ENGINE FIELD: a counter of an engine of GPU $GPU.
engine_field() { state_get engine id="$1" "$2"; }

# wait_gpu_empty [N]: wait up to 10 s (closed files are released
# asynchronously) for GPU N to have no channel and no video memory in
# use; prints its state and fails if it does not.
wait_gpu_empty() {
	local i gpu=${1:-${GPU:-0}}
	for i in $(seq 100); do
		[ "$(GPU=$gpu state_get gpu vram_used channels)" = "0 0" ] && return 0
		sleep 0.1
	done
	echo "left behind:"
	debugfs_state "$gpu"
	return 1
}
