// SPDX-License-Identifier: GPL-2.0
/*
 * gpucore buffer objects: shmem-backed GEM objects charged to a vGPU's
 * video memory quota, kept mapped in the kernel for the engines.
 *
 * A buffer object holds a reference on its DRM device: a job retired
 * after its client closed the last file of a destroyed vGPU drops its
 * buffers from a worker, and the device (whose mmap offset manager each
 * buffer is in) must outlive them.
 */

#include <linux/dma-resv.h>
#include <linux/iosys-map.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>

#include "gpucore_priv.h"

static void gpucore_bo_uncharge(struct gpucore_bo *bo)
{
	struct gpucore_vgpu *vgpu = bo->vgpu;

	if (!vgpu)
		return;
	atomic64_sub(bo->size, &vgpu->mem_used);
	atomic64_sub(bo->size, &vgpu->gpu->vram_used);
	bo->vgpu = NULL;
	gpucore_vgpu_put(vgpu);
}

/* Charge @size to the vGPU's quota and the GPU's video memory, or -ENOSPC. */
static int gpucore_bo_charge(struct gpucore_bo *bo, struct gpucore_vgpu *vgpu, u64 size)
{
	struct gpucore_gpu *gpu = vgpu->gpu;

	if (atomic64_add_return(size, &vgpu->mem_used) > READ_ONCE(vgpu->mem_quota))
		goto err_vgpu;
	if (atomic64_add_return(size, &gpu->vram_used) > gpu->vram_size)
		goto err_gpu;
	gpucore_vgpu_get(vgpu);
	bo->vgpu = vgpu;
	bo->size = size;
	return 0;

err_gpu:
	atomic64_sub(size, &gpu->vram_used);
err_vgpu:
	atomic64_sub(size, &vgpu->mem_used);
	return -ENOSPC;
}

static void gpucore_bo_free(struct drm_gem_object *obj)
{
	struct gpucore_bo *bo = to_gpucore_bo(obj);
	struct drm_device *drm = obj->dev;

	if (bo->vaddr) {
		struct iosys_map map = IOSYS_MAP_INIT_VADDR(bo->vaddr);

		dma_resv_lock(obj->resv, NULL);
		drm_gem_shmem_vunmap(&bo->base, &map);
		dma_resv_unlock(obj->resv);
	}
	gpucore_bo_uncharge(bo);
	drm_gem_shmem_free(&bo->base);
	drm_dev_put(drm);
}

static enum drm_gem_object_status gpucore_bo_status(struct drm_gem_object *obj)
{
	/* Pages are allocated and mapped for the whole life of the object. */
	return DRM_GEM_OBJECT_RESIDENT;
}

static const struct drm_gem_object_funcs gpucore_bo_funcs = {
	.free = gpucore_bo_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.status = gpucore_bo_status,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/**
 * gpucore_gem_create_object - drm_driver.gem_create_object hook
 * @dev: the DRM device
 * @size: object size
 *
 * Return: the embedded GEM object of a new gpucore_bo, or an ERR_PTR.
 */
struct drm_gem_object *gpucore_gem_create_object(struct drm_device *dev, size_t size)
{
	struct gpucore_bo *bo;

	bo = gpucore_fail_ptr(kzalloc(sizeof(*bo), GFP_KERNEL));
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &gpucore_bo_funcs;
	return &bo->base.base;
}

static int gpucore_bo_vmap(struct gpucore_bo *bo)
{
	struct drm_gem_object *obj = &bo->base.base;
	struct iosys_map map;
	int ret;

	dma_resv_lock(obj->resv, NULL);
	ret = gpucore_fail_int(drm_gem_shmem_vmap(&bo->base, &map));
	dma_resv_unlock(obj->resv);
	if (ret)
		return ret;
	bo->vaddr = map.vaddr;
	return 0;
}

/**
 * gpucore_bo_create - create a buffer object and a handle for it
 * @dev: the DRM device (of the caller's vGPU)
 * @file: the DRM file that gets the handle
 * @size: bytes, already page aligned and nonzero
 * @handle: set to the new handle
 *
 * Return: 0, -ENOSPC (quota or GPU memory exhausted), -ENOMEM.
 */
int gpucore_bo_create(struct drm_device *dev, struct drm_file *file, u64 size, u32 *handle)
{
	struct gpucore_vgpu *vgpu = to_gpucore_file(file)->vgpu;
	struct drm_gem_shmem_object *shmem;
	struct gpucore_bo *bo;
	int ret;

	shmem = drm_gem_shmem_create(dev, size);
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	bo = container_of(shmem, struct gpucore_bo, base);
	/* Every object freed by gpucore_bo_free() got here: its put is there. */
	drm_dev_get(dev);
	ret = gpucore_bo_charge(bo, vgpu, size);
	if (ret)
		goto out_put;
	ret = gpucore_bo_vmap(bo);
	if (ret)
		goto out_put;
	ret = gpucore_fail_int(drm_gem_handle_create(file, &shmem->base, handle));
out_put:
	drm_gem_object_put(&shmem->base);
	return ret;
}
