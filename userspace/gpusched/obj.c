// SPDX-License-Identifier: MIT
/*
 * gpusched: policy objects.
 *
 * A gpucore policy object holds exactly one struct_ops map whose BTF value
 * type is struct gpucore_sched_ops, in SEC(".struct_ops.link"), and
 * records the ABI version it was built for in the .rodata variable
 * gpucore_abi_version (GPUCORE_POLICY() in bpf/gpucore.bpf.h). Its other
 * `const volatile` globals are tunables: found by walking the .rodata
 * DATASEC of the object's BTF, set by writing into the map's initial
 * value before the object is loaded. A tunable's valid values are the
 * struct gpucore_tunable_range gpucore_range__NAME next to it, if the
 * policy declares one (GPUCORE_TUNABLE_RANGE() in bpf/gpucore.bpf.h).
 * Opening needs no privileges and no driver: only loading does.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "gpusched.h"
#include "units.h"

#define OPS_TYPE_NAME		"gpucore_sched_ops"
#define ABI_VAR_NAME		"gpucore_abi_version"
#define INTERNAL_PREFIX		"gpucore_"
#define RANGE_PREFIX		"gpucore_range__"
#define RANGE_TYPE_NAME		"gpucore_tunable_range"

/* ------------------------------------------------------------------ */
/* libbpf's log */

static char *log_buf;
static size_t log_len, log_cap;

static void log_append(const char *fmt, va_list ap)
{
	va_list aq;
	size_t need;
	char *nb;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n <= 0)
		return;
	need = log_len + (size_t)n + 1;
	if (need > log_cap) {
		size_t cap = log_cap ? log_cap : 4096;

		while (cap < need)
			cap *= 2;
		nb = realloc(log_buf, cap);
		if (!nb)
			return;
		log_buf = nb;
		log_cap = cap;
	}
	vsnprintf(log_buf + log_len, (size_t)n + 1, fmt, ap);
	log_len += (size_t)n;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	va_list aq;

	if (gsched_verbose) {
		va_copy(aq, ap);
		vfprintf(stderr, fmt, aq);
		va_end(aq);
	}
	if (level != LIBBPF_DEBUG)
		log_append(fmt, ap);
	return 0;
}

void gsched_libbpf_log_start(void)
{
	log_len = 0;
	if (log_buf)
		log_buf[0] = '\0';
	libbpf_set_print(libbpf_print);
}

/* Print the last @max lines of [start, end), with a header when cut. */
static void print_lines(const char *start, const char *end, unsigned int max,
			const char *what)
{
	unsigned int n = 0, skip;
	const char *p;

	for (p = start; p < end; p++)
		n += *p == '\n';
	if (end > start && end[-1] != '\n')
		n++;
	if (!n)
		return;
	skip = n > max ? n - max : 0;
	if (skip)
		fprintf(stderr, "%s (last %u of %u lines; all of it with gpusched -v):\n",
			what, max, n);
	else
		fprintf(stderr, "%s:\n", what);
	for (p = start; skip && p < end; p++)
		if (*p == '\n')
			skip--;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		fprintf(stderr, "  %.*s\n", (int)len, p);
		p += len + 1;
	}
}

void gsched_libbpf_log_tail(unsigned int lines)
{
	static const char begin[] = "-- BEGIN PROG LOAD LOG --";
	static const char end_mark[] = "-- END PROG LOAD LOG --";
	const char *b = NULL, *e, *p, *stop;

	if (!log_len)
		return;
	stop = log_buf + log_len;
	for (p = log_buf; (p = strstr(p, begin)); p++)
		b = p;
	if (!b) {
		print_lines(log_buf, stop, lines, "libbpf log");
		return;
	}
	b = strchr(b, '\n');
	b = b ? b + 1 : stop;
	e = strstr(b, end_mark);
	if (!e)
		e = stop;
	print_lines(b, e, lines, "verifier log");
	p = strchr(e, '\n');
	if (p && p + 1 < stop)
		print_lines(p + 1, stop, lines, "libbpf");
}

/* libbpf 1.4 needs the size pointer; gsched_obj_open checked the size. */
static char *rodata(const struct gsched_policy_obj *po)
{
	size_t size;

	return bpf_map__initial_value(po->rodata, &size);
}

/* ------------------------------------------------------------------ */
/* BTF */

static const struct btf_type *skip_mods(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

static enum gsched_tunable_kind classify(const struct btf *btf,
				     const struct btf_type *t, uint32_t size)
{
	const struct btf_type *elem;

	if (!t)
		return GSCHED_T_OTHER;
	if (btf_is_int(t)) {
		uint8_t enc = btf_int_encoding(t);

		if (size > 8 || (size & (size - 1)))
			return GSCHED_T_OTHER;
		if (enc & BTF_INT_BOOL)
			return GSCHED_T_BOOL;
		return enc & BTF_INT_SIGNED ? GSCHED_T_INT : GSCHED_T_UINT;
	}
	if (btf_is_any_enum(t) && size <= 8 && !(size & (size - 1)))
		return btf_kflag(t) ? GSCHED_T_INT : GSCHED_T_UINT;
	if (btf_is_array(t)) {
		elem = skip_mods(btf, btf_array(t)->type);
		if (elem && btf_is_int(elem) && elem->size == 1 &&
		    btf_array(t)->nelems > 1)
			return GSCHED_T_STRING;
	}
	return GSCHED_T_OTHER;
}

/* Byte offset of member @name in struct @t, or -1. */
static long member_offset(const struct btf *btf, const struct btf_type *t,
			  const char *name)
{
	const struct btf_member *m = btf_members(t);
	unsigned int i;

	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name))
			return (long)(btf_member_bit_offset(t, i) / 8);
	return -1;
}

static bool is_ops_map(const struct btf *btf, const struct bpf_map *map)
{
	const struct btf_type *t;

	if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
		return false;
	t = skip_mods(btf, bpf_map__btf_value_type_id(map));
	return t && btf_is_struct(t) &&
	       !strcmp(btf__name_by_offset(btf, t->name_off), OPS_TYPE_NAME);
}

/* ------------------------------------------------------------------ */
/* ranges */

/* Unit a tunable's name asks for: foo_ns, foo_us, foo_ms; 0: none. */
static uint64_t name_unit(const char *name)
{
	static const struct { const char *sfx; uint64_t unit; } units[] = {
		{ "_ns", 1 }, { "_us", NSEC_PER_USEC }, { "_ms", NSEC_PER_MSEC },
	};
	size_t n = strlen(name), i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (n > 3 && !strcmp(name + n - 3, units[i].sfx))
			return units[i].unit;
	return 0;
}

static bool in_range(const struct gsched_range *r, uint64_t v, bool is_signed)
{
	if (!v && r->zero[0])
		return true;
	if (is_signed)
		return (int64_t)v >= (int64_t)r->min && (int64_t)v <= (int64_t)r->max;
	return v >= r->min && v <= r->max;
}

/*
 * @v, a number of @unit ns (0: not a duration), exactly, in the largest
 * unit that divides it: 10us, 1s, 1500us; a plain number if no unit.
 */
static char *fmt_bound(char *buf, size_t len, uint64_t v, bool is_signed,
		       uint64_t unit)
{
	static const struct { const char *sfx; uint64_t ns; } units[] = {
		{ "s", NSEC_PER_SEC }, { "ms", NSEC_PER_MSEC },
		{ "us", NSEC_PER_USEC }, { "ns", 1 },
	};
	const char *sign = "";
	uint64_t step;
	size_t i;

	if (is_signed && (int64_t)v < 0) {
		sign = "-";
		v = -v;
	}
	for (i = 0; unit && v && i < sizeof(units) / sizeof(units[0]); i++) {
		step = units[i].ns / unit;
		if (step && units[i].ns % unit == 0 && v % step == 0) {
			snprintf(buf, len, "%s%" PRIu64 "%s", sign, v / step,
				 units[i].sfx);
			return buf;
		}
	}
	snprintf(buf, len, "%s%" PRIu64, sign, v);
	return buf;
}

/* "10us..1s (or 0: the GPU default)", in the units of field @name. */
static char *range_text(const struct gsched_range *r, const char *name,
			bool is_signed, char *buf, size_t len)
{
	uint64_t unit = name_unit(name);
	char lo[32], hi[32];

	snprintf(buf, len, "%s..%s%s%s%s",
		 fmt_bound(lo, sizeof(lo), r->min, is_signed, unit),
		 fmt_bound(hi, sizeof(hi), r->max, is_signed, unit),
		 r->zero[0] ? " (or 0: " : "", r->zero, r->zero[0] ? ")" : "");
	return buf;
}

/* ------------------------------------------------------------------ */
/* opening */

/* An error about the object, unless opened quietly (-v shows it anyway). */
__attribute__((format(printf, 3, 4)))
static int obj_err(const struct gsched_policy_obj *po, int ret, const char *fmt, ...)
{
	va_list ap;

	if (po->quiet && !gsched_verbose)
		return ret;
	va_start(ap, fmt);
	gsched_verr(fmt, ap);
	va_end(ap);
	return ret;
}

static int not_policy(const struct gsched_policy_obj *po, const char *why)
{
	return obj_err(po, GSCHED_NOT_POLICY, "%s is not a gpucore policy: %s",
		       po->path, why);
}

static int find_ops_map(struct gsched_policy_obj *po, const struct btf *btf)
{
	const struct btf_type *t;
	struct bpf_map *map;
	unsigned int n = 0;
	size_t size = 0;
	const char *data;
	long off;

	bpf_object__for_each_map(map, po->obj) {
		if (!is_ops_map(btf, map))
			continue;
		po->ops_map = map;
		n++;
	}
	if (!n)
		return not_policy(po, "it has no struct_ops map of type struct "
				  OPS_TYPE_NAME " (see bpf/besteffort.bpf.c)");
	if (n > 1)
		return not_policy(po, "it has more than one struct " OPS_TYPE_NAME
				  " map; a policy has exactly one");
	if (!(bpf_map__map_flags(po->ops_map) & BPF_F_LINK))
		return not_policy(po, "its struct " OPS_TYPE_NAME
				  " map must be in SEC(\".struct_ops.link\")");
	t = skip_mods(btf, bpf_map__btf_value_type_id(po->ops_map));
	off = member_offset(btf, t, "name");
	data = bpf_map__initial_value(po->ops_map, &size);
	if (off < 0 || !data || (size_t)off >= size)
		return not_policy(po, "cannot find the name field of its struct "
				  OPS_TYPE_NAME);
	snprintf(po->name, sizeof(po->name), "%.*s",
		 (int)(size - (size_t)off), data + off);
	if (!po->name[0])
		snprintf(po->name, sizeof(po->name), "%s",
			 bpf_map__name(po->ops_map));
	return 0;
}

/*
 * Data field @name of the ops map's initial value, unsigned, of any width
 * up to 8 bytes: 0, or -ENOENT if the struct has no such field.
 */
static int ops_field(const struct gsched_policy_obj *po, const char *name,
		     uint64_t *val)
{
	const struct btf *btf = bpf_object__btf(po->obj);
	const struct btf_type *t;
	const struct btf_member *m;
	const char *data;
	size_t size = 0, off;
	long width;
	unsigned int i;

	t = skip_mods(btf, bpf_map__btf_value_type_id(po->ops_map));
	data = bpf_map__initial_value(po->ops_map, &size);
	if (!t || !data)
		return -ENOENT;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), name))
			continue;
		width = btf__resolve_size(btf, m->type);
		off = btf_member_bit_offset(t, i) / 8;
		if (width <= 0 || width > 8 || off + (size_t)width > size)
			return -ENOENT;
		/* little endian: the low bytes first */
		*val = 0;
		memcpy(val, data + off, (size_t)width);
		return 0;
	}
	return -ENOENT;
}

/*
 * What the driver accepts in the numeric fields of struct
 * gpucore_sched_ops: GPUCORE_OPS_RANGES(), which the driver expands too.
 * A field this object's struct lacks is not checked: budget_us, for one,
 * is newer than the other fields.
 */
#define OPS_RANGE(field, min, max, zero)	{ #field, { min, max, zero } },
static const struct {
	const char *field;
	struct gsched_range range;
} ops_ranges[] = {
	GPUCORE_OPS_RANGES(OPS_RANGE)
};
#undef OPS_RANGE

static int check_ops_range(const struct gsched_policy_obj *po, const char *field,
			   const struct gsched_range *r)
{
	char text[128];
	uint64_t v;

	if (ops_field(po, field, &v) || in_range(r, v, false))
		return 0;
	gsched_err("%s: its struct " OPS_TYPE_NAME " sets .%s = %" PRIu64 ", outside %s: the driver would refuse it (fix the policy and rebuild it)",
	       po->path, field, v, range_text(r, field, false, text, sizeof(text)));
	return GSCHED_LOAD;
}

int gsched_obj_check_fields(const struct gsched_policy_obj *po)
{
	uint64_t flags;
	unsigned int i;
	int ret;

	if (!gpucore_name_valid(po->name, sizeof(po->name))) {
		gsched_err("%s: policy name '%s' must be 1..%d characters of [A-Za-z0-9_.-], not starting with '.'",
		       po->path, po->name, GPUCORE_POLICY_NAME_LEN - 1);
		return GSCHED_LOAD;
	}
	for (i = 0; i < sizeof(ops_ranges) / sizeof(ops_ranges[0]); i++) {
		ret = check_ops_range(po, ops_ranges[i].field, &ops_ranges[i].range);
		if (ret)
			return ret;
	}
	if (!ops_field(po, "flags", &flags) && (flags & ~GPUCORE_OPS_ALL_FLAGS)) {
		gsched_err("%s: flags 0x%" PRIx64 " has bits this driver does not know (known: 0x%llx)",
		       po->path, flags, GPUCORE_OPS_ALL_FLAGS);
		return GSCHED_LOAD;
	}
	return 0;
}

static uint64_t read_raw(const struct gsched_policy_obj *po,
			 const struct gsched_tunable *t)
{
	const char *data = rodata(po);
	uint64_t v = 0;

	/* BPF objects are built for the host's byte order (little endian here). */
	memcpy(&v, data + t->offset, t->size);
	if (t->kind == GSCHED_T_INT && t->size < 8 && (v >> (t->size * 8 - 1)) & 1)
		v |= ~0ULL << (t->size * 8);
	return v;
}

static int add_var(struct gsched_policy_obj *po, const struct btf *btf,
		   const struct btf_var_secinfo *vsi, size_t data_size)
{
	const struct btf_type *var = btf__type_by_id(btf, vsi->type);
	struct gsched_tunable tun, *nt;
	const char *name;

	if (!var || !btf_is_var(var) ||
	    btf_var(var)->linkage == BTF_VAR_STATIC)
		return 0;
	if ((size_t)vsi->offset + vsi->size > data_size)
		return not_policy(po, "its .rodata BTF does not match the section");
	name = btf__name_by_offset(btf, var->name_off);
	tun = (struct gsched_tunable){
		.name = name,
		.size = vsi->size,
		.offset = vsi->offset,
		.kind = classify(btf, skip_mods(btf, var->type), vsi->size),
	};
	if (!strcmp(name, ABI_VAR_NAME)) {
		if (tun.kind != GSCHED_T_UINT || tun.size != 4)
			return not_policy(po, ABI_VAR_NAME " is not a u32");
		po->has_abi = true;
		po->abi_version = (uint32_t)read_raw(po, &tun);
		return 0;
	}
	if (!strncmp(name, INTERNAL_PREFIX, strlen(INTERNAL_PREFIX)))
		return 0;
	nt = realloc(po->tunables, (po->nr_tunables + 1) * sizeof(*nt));
	if (!nt)
		return obj_err(po, GSCHED_ERR, "out of memory");
	po->tunables = nt;
	po->tunables[po->nr_tunables++] = tun;
	return 0;
}

static struct gsched_tunable *find_tunable(const struct gsched_policy_obj *po,
				       const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < po->nr_tunables; i++)
		if (strlen(po->tunables[i].name) == len &&
		    !strncmp(po->tunables[i].name, name, len))
			return &po->tunables[i];
	return NULL;
}

/* Member @name of struct @t: its offset if it is @size bytes (0: any) and fits @var_size; else -1. */
static long member_at(const struct btf *btf, const struct btf_type *t,
		      const char *name, long size, uint32_t var_size)
{
	const struct btf_member *m = btf_members(t);
	unsigned int i;
	long off, width;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), name))
			continue;
		off = (long)(btf_member_bit_offset(t, i) / 8);
		width = btf__resolve_size(btf, m->type);
		if (width <= 0 || (size && width != size) ||
		    (uint64_t)off + (uint64_t)width > var_size)
			return -1;
		return off;
	}
	return -1;
}

__attribute__((format(printf, 2, 3)))
static int bad_range(const struct gsched_policy_obj *po, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return obj_err(po, GSCHED_NOT_POLICY,
		       "%s is not a gpucore policy: %s (declare ranges with GPUCORE_TUNABLE_RANGE() from bpf/gpucore.bpf.h)",
		       po->path, why);
}

/* Read the range record gpucore_range__NAME at @vsi into tunable NAME. */
static int add_range(struct gsched_policy_obj *po, const struct btf *btf,
		     const struct btf_var_secinfo *vsi, const char *var_name)
{
	const char *name = var_name + strlen(RANGE_PREFIX), *data = rodata(po);
	const struct btf_type *var = btf__type_by_id(btf, vsi->type);
	const struct btf_type *t = skip_mods(btf, var->type);
	long min, max, zero;
	struct gsched_tunable *tun;
	size_t zlen;

	if (!t || !btf_is_struct(t) ||
	    strcmp(btf__name_by_offset(btf, t->name_off), RANGE_TYPE_NAME))
		return bad_range(po, "%s is not a struct " RANGE_TYPE_NAME, var_name);
	min = member_at(btf, t, "min", 8, vsi->size);
	max = member_at(btf, t, "max", 8, vsi->size);
	zero = member_at(btf, t, "zero", 0, vsi->size);
	if (min < 0 || max < 0 || zero < 0)
		return bad_range(po, "%s lacks a u64 min, a u64 max or a zero string",
				 var_name);
	tun = find_tunable(po, name, strlen(name));
	if (!tun || (tun->kind != GSCHED_T_INT && tun->kind != GSCHED_T_UINT))
		return bad_range(po, "%s is not for an integer tunable", var_name);
	data += vsi->offset;
	memcpy(&tun->range.min, data + min, 8);
	memcpy(&tun->range.max, data + max, 8);
	zlen = vsi->size - (size_t)zero;
	if (zlen >= sizeof(tun->range.zero))
		zlen = sizeof(tun->range.zero) - 1;
	snprintf(tun->range.zero, sizeof(tun->range.zero), "%.*s", (int)zlen,
		 data + zero);
	if (tun->kind == GSCHED_T_INT ? (int64_t)tun->range.min > (int64_t)tun->range.max :
				    tun->range.min > tun->range.max)
		return bad_range(po, "%s: min above max", var_name);
	tun->has_range = true;
	return 0;
}

/* Second pass over .rodata, once every tunable is known: their ranges. */
static int find_ranges(struct gsched_policy_obj *po, const struct btf *btf,
		       const struct btf_type *sec)
{
	const struct btf_var_secinfo *vsi = btf_var_secinfos(sec);
	const struct btf_type *var;
	const char *name;
	unsigned int i;
	int ret;

	for (i = 0; i < btf_vlen(sec); i++, vsi++) {
		var = btf__type_by_id(btf, vsi->type);
		if (!var || !btf_is_var(var) ||
		    btf_var(var)->linkage == BTF_VAR_STATIC)
			continue;
		name = btf__name_by_offset(btf, var->name_off);
		if (strncmp(name, RANGE_PREFIX, strlen(RANGE_PREFIX)))
			continue;
		ret = add_range(po, btf, vsi, name);
		if (ret)
			return ret;
	}
	return 0;
}

static int find_tunables(struct gsched_policy_obj *po, const struct btf *btf)
{
	const struct btf_var_secinfo *vsi;
	const struct btf_type *sec;
	size_t size = 0;
	int id, ret;
	unsigned int i;

	po->rodata = bpf_object__find_map_by_name(po->obj, ".rodata");
	if (!po->rodata || !bpf_map__initial_value(po->rodata, &size))
		return 0;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		return 0;
	sec = btf__type_by_id(btf, (uint32_t)id);
	vsi = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vsi++) {
		ret = add_var(po, btf, vsi, size);
		if (ret)
			return ret;
	}
	return find_ranges(po, btf, sec);
}

int gsched_obj_open(const char *path, bool quiet, struct gsched_policy_obj *po)
{
	const struct btf *btf;
	char msg[256];
	int err, ret;

	memset(po, 0, sizeof(*po));
	po->path = path;
	po->quiet = quiet;
	if (access(path, R_OK))
		return obj_err(po, GSCHED_ERR, "cannot read %s: %s", path,
			       strerror(errno));
	po->obj = bpf_object__open_file(path, NULL);
	if (!po->obj) {
		err = errno;
		libbpf_strerror(err, msg, sizeof(msg));
		return obj_err(po, GSCHED_NOT_POLICY,
			       "%s is not a BPF object (%s): policies are built by make bpf as bpf/NAME.bpf.o",
			       path, msg);
	}
	btf = bpf_object__btf(po->obj);
	if (!btf)
		ret = not_policy(po, "it has no BTF (build it with clang -g)");
	else
		ret = find_ops_map(po, btf);
	if (!ret)
		ret = find_tunables(po, btf);
	if (ret)
		gsched_obj_close(po);
	return ret;
}

void gsched_obj_close(struct gsched_policy_obj *po)
{
	bpf_object__close(po->obj);
	po->obj = NULL;
	free(po->tunables);
	po->tunables = NULL;
	po->nr_tunables = 0;
}

/* ------------------------------------------------------------------ */
/* tunables */

const char *gsched_tunable_type(const struct gsched_tunable *t, char *buf, size_t len)
{
	switch (t->kind) {
	case GSCHED_T_INT:
		snprintf(buf, len, "s%u", t->size * 8);
		break;
	case GSCHED_T_UINT:
		snprintf(buf, len, "u%u", t->size * 8);
		break;
	case GSCHED_T_BOOL:
		snprintf(buf, len, "bool");
		break;
	case GSCHED_T_STRING:
		snprintf(buf, len, "char[%u]", t->size);
		break;
	default:
		snprintf(buf, len, "%u bytes", t->size);
		break;
	}
	return buf;
}

char *gsched_tunable_value(const struct gsched_policy_obj *po,
		       const struct gsched_tunable *t, char *buf, size_t len)
{
	const char *data = rodata(po);
	uint64_t v;

	switch (t->kind) {
	case GSCHED_T_INT:
		snprintf(buf, len, "%" PRId64, (int64_t)read_raw(po, t));
		break;
	case GSCHED_T_UINT:
		snprintf(buf, len, "%" PRIu64, read_raw(po, t));
		break;
	case GSCHED_T_BOOL:
		v = read_raw(po, t);
		snprintf(buf, len, "%s", v ? "true" : "false");
		break;
	case GSCHED_T_STRING:
		snprintf(buf, len, "%.*s", (int)t->size, data + t->offset);
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
	return buf;
}

json_object *gsched_tunable_json(const struct gsched_policy_obj *po,
			     const struct gsched_tunable *t)
{
	char buf[256];

	switch (t->kind) {
	case GSCHED_T_INT:
		return json_object_new_int64((int64_t)read_raw(po, t));
	case GSCHED_T_UINT:
		return json_object_new_uint64(read_raw(po, t));
	case GSCHED_T_BOOL:
		return json_object_new_boolean(read_raw(po, t) != 0);
	case GSCHED_T_STRING:
		return json_object_new_string(gsched_tunable_value(po, t, buf,
							       sizeof(buf)));
	default:
		return NULL;
	}
}

char *gsched_tunable_text(const struct gsched_policy_obj *po,
			  const struct gsched_tunable *t, char *buf, size_t len)
{
	uint64_t unit = name_unit(t->name);

	if (t->kind == GSCHED_T_UINT && unit)
		return fmt_bound(buf, len, read_raw(po, t), false, unit);
	return gsched_tunable_value(po, t, buf, len);
}

const void *gsched_obj_rodata(const struct gsched_policy_obj *po, size_t *size)
{
	*size = 0;
	return po->rodata ? bpf_map__initial_value(po->rodata, size) : NULL;
}

int gsched_obj_set_rodata(struct gsched_policy_obj *po, const void *data, size_t size)
{
	size_t have;

	if (!gsched_obj_rodata(po, &have) || have != size)
		return -EINVAL;
	return bpf_map__set_initial_value(po->rodata, data, size);
}

char *gsched_tunable_range(const struct gsched_tunable *t, char *buf, size_t len)
{
	if (!t->has_range) {
		buf[0] = '\0';
		return buf;
	}
	return range_text(&t->range, t->name, t->kind == GSCHED_T_INT, buf, len);
}

json_object *gsched_tunable_range_json(const struct gsched_tunable *t)
{
	json_object *j;

	if (!t->has_range)
		return NULL;
	j = json_object_new_object();
	if (t->kind == GSCHED_T_INT) {
		json_object_object_add(j, "min", json_object_new_int64((int64_t)t->range.min));
		json_object_object_add(j, "max", json_object_new_int64((int64_t)t->range.max));
	} else {
		json_object_object_add(j, "min", json_object_new_uint64(t->range.min));
		json_object_object_add(j, "max", json_object_new_uint64(t->range.max));
	}
	json_object_object_add(j, "zero", t->range.zero[0] ?
			       json_object_new_string(t->range.zero) : NULL);
	return j;
}

char *gsched_tunables_summary(const struct gsched_policy_obj *po, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;
	char val[256];

	buf[0] = '\0';
	for (i = 0; i < po->nr_tunables && off < len; i++) {
		const struct gsched_tunable *t = &po->tunables[i];

		if (t->kind == GSCHED_T_OTHER)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s",
					off ? " " : "", t->name,
					gsched_tunable_value(po, t, val, sizeof(val)));
	}
	if (!buf[0])
		snprintf(buf, len, "none");
	return buf;
}

static void list_tunables(const struct gsched_policy_obj *po)
{
	char type[32], val[256], range[128];
	unsigned int i;

	for (i = 0; i < po->nr_tunables; i++) {
		const struct gsched_tunable *t = &po->tunables[i];

		fprintf(stderr, "  %-24s %-10s default %s%s%s%s\n", t->name,
			gsched_tunable_type(t, type, sizeof(type)),
			gsched_tunable_value(po, t, val, sizeof(val)),
			t->kind == GSCHED_T_OTHER ? " (not settable)" : "",
			t->has_range ? ", range " : "",
			gsched_tunable_range(t, range, sizeof(range)));
	}
}

static bool is_size_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 6 && !strcmp(name + n - 6, "_bytes")) ||
	       (n > 5 && !strcmp(name + n - 5, "_size"));
}

static int parse_unsigned(const struct gsched_tunable *t, const char *s,
			  uint64_t *v)
{
	uint64_t unit = name_unit(t->name), ns;

	if (!parse_u64(s, v))
		return 0;
	if (unit) {
		if (parse_duration_ns(s, unit, &ns) || ns % unit)
			return -EINVAL;
		*v = ns / unit;
		return 0;
	}
	if (is_size_name(t->name))
		return parse_size(s, v);
	return -EINVAL;
}

static int parse_signed(const char *s, int64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 0);
	if (errno || end == s || *end)
		return -EINVAL;
	return 0;
}

static int parse_bool(const char *s, uint64_t *v)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	unsigned int i;

	for (i = 0; i < 4; i++) {
		if (!strcmp(s, yes[i])) {
			*v = 1;
			return 0;
		}
		if (!strcmp(s, no[i])) {
			*v = 0;
			return 0;
		}
	}
	return -EINVAL;
}

/* How a tunable is set: "-o " on the command line, nothing in a file. */
static const char *opt(void)
{
	return gsched_err_in_file() ? "" : "-o ";
}

static const char *eq(void)
{
	return gsched_err_in_file() ? " = " : "=";
}

static int bad_value(const struct gsched_tunable *t, const char *value,
		     const char *fmt, ...)
{
	char type[32], what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	gsched_err("%s%s%s%s: not %s (%s is a %s)", opt(), t->name, eq(), value, what, t->name,
	       gsched_tunable_type(t, type, sizeof(type)));
	return GSCHED_USAGE;
}

static int out_of_range(const struct gsched_policy_obj *po,
			const struct gsched_tunable *t, const char *value)
{
	char range[128];

	gsched_err("%s%s%s%s: outside %s, the values %s accepts", opt(),
	       t->name, eq(), value, gsched_tunable_range(t, range, sizeof(range)), po->name);
	return GSCHED_USAGE;
}

static int set_number(struct gsched_policy_obj *po, const struct gsched_tunable *t,
		      const char *value)
{
	char *data = rodata(po);
	unsigned int bits = t->size * 8;
	uint64_t u = 0;
	int64_t s;

	if (t->kind == GSCHED_T_BOOL) {
		if (parse_bool(value, &u))
			return bad_value(t, value, "a boolean (true/false, 1/0, yes/no, on/off)");
	} else if (t->kind == GSCHED_T_INT) {
		int64_t max = bits == 64 ? INT64_MAX : (int64_t)((1ULL << (bits - 1)) - 1);

		if (parse_signed(value, &s) || s > max || s < -max - 1)
			return bad_value(t, value, "an integer in %" PRId64 "..%" PRId64,
					 -max - 1, max);
		u = (uint64_t)s;
	} else {
		uint64_t max = bits == 64 ? UINT64_MAX : (1ULL << bits) - 1;
		uint64_t unit = name_unit(t->name);

		if (parse_unsigned(t, value, &u) || u > max) {
			if (unit)
				return bad_value(t, value,
						 "a number in 0..%" PRIu64 " or a duration with a unit (e.g. %s)",
						 max, unit == 1 ? "2ms, 100us, 500ns" : "2ms, 1s");
			if (is_size_name(t->name))
				return bad_value(t, value, "a size in 0..%" PRIu64 " (e.g. 4096, 64K, 1M)",
						 max);
			return bad_value(t, value, "a number in 0..%" PRIu64, max);
		}
	}
	if (t->has_range && !in_range(&t->range, u, t->kind == GSCHED_T_INT))
		return out_of_range(po, t, value);
	memcpy(data + t->offset, &u, t->size);
	return 0;
}

int gsched_tunable_assign(struct gsched_policy_obj *po, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	const struct gsched_tunable *t;
	size_t nlen = eq ? (size_t)(eq - assignment) : 0;
	char *data;

	if (!nlen) {
		gsched_err("%s'%s': expected NAME=VALUE (see gpusched list for the tunables)", opt(),
		       assignment);
		return GSCHED_USAGE;
	}
	t = find_tunable(po, assignment, nlen);
	if (!t) {
		if (!po->nr_tunables) {
			gsched_err("%s%.*s: %s (%s) has no tunables", opt(), (int)nlen,
			       assignment, po->name, po->path);
			return GSCHED_USAGE;
		}
		gsched_err("%s%.*s: %s (%s) has no tunable '%.*s'; its tunables:", opt(),
		       (int)nlen, assignment, po->name, po->path, (int)nlen,
		       assignment);
		list_tunables(po);
		return GSCHED_USAGE;
	}
	if (t->kind == GSCHED_T_OTHER) {
		gsched_err("%s%s: gpusched cannot set a tunable of this type (only integers, bool and char arrays)", opt(),
		       t->name);
		return GSCHED_USAGE;
	}
	if (t->kind != GSCHED_T_STRING)
		return set_number(po, t, eq + 1);
	if (strlen(eq + 1) >= t->size)
		return bad_value(t, eq + 1, "a string of at most %u bytes",
				 t->size - 1);
	data = rodata(po);
	memset(data + t->offset, 0, t->size);
	memcpy(data + t->offset, eq + 1, strlen(eq + 1));
	return 0;
}
