// SPDX-License-Identifier: MIT
/*
 * --json: one object per refresh, on one line. Its keys are the fields of
 * fields.c (docs/gpustat.md, the field reference).
 */
#include <stdio.h>
#include <string.h>

#include <json.h>

#include "monitor.h"
#include "units.h"

#define GS_JSON_VERSION	1

/* A double with the decimals its unit needs rather than 17 digits. */
static struct json_object *dbl(double v, enum funit unit)
{
	int prec = unit == U_S ? 6 : unit == U_RATE ? 2 : 4;
	char buf[64];

	return json_object_new_double_s(v, format_fixed(buf, sizeof(buf), v, prec, ""));
}

/*
 * Keys are the field tables' names, which live as long as the program and
 * are unique in their object (fieldref.c checks it): json-c neither copies
 * them nor looks for an earlier one (a thousand channels' rows a refresh).
 */
#define KEY_FLAGS	(JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_KEY_IS_CONSTANT)

static struct json_object *pct(const struct gs_pct *p)
{
	struct json_object *o = json_object_new_object();
	int i;

	for (i = 0; i < PCT_STATS; i++)
		json_object_object_add_ex(o, pct_stats[i].name,
					  json_object_new_uint64(pct_get(p, &pct_stats[i])),
					  KEY_FLAGS);
	return o;
}

static struct json_object *value(const struct field *f, const void *row)
{
	union fval v = field_get(f, row);

	switch (f->type) {
	case FT_S32:
		return json_object_new_int64(v.i);
	case FT_DBL:
		return dbl(v.d, f->unit);
	case FT_BOOL:
		return json_object_new_boolean(v.b);
	case FT_STR:
		return json_object_new_string(v.s);
	case FT_PCT:
		return pct(v.p);
	default:
		return json_object_new_uint64(v.u);
	}
}

/* @v as @key of @o, where "a.b" is b in the object a (made if need be). */
static void put(struct json_object *o, const char *key, struct json_object *v)
{
	const char *dot;

	while ((dot = strchr(key, '.'))) {
		char part[64];
		struct json_object *sub;

		snprintf(part, sizeof(part), "%.*s", (int)(dot - key), key);
		if (!json_object_object_get_ex(o, part, &sub)) {
			sub = json_object_new_object();
			json_object_object_add_ex(o, part, sub, JSON_C_OBJECT_ADD_KEY_IS_NEW);
		}
		o = sub;
		key = dot + 1;
	}
	json_object_object_add_ex(o, key, v, KEY_FLAGS);
}

/* @row's fields of object @id into @o (a new object if NULL). */
static struct json_object *fill(struct json_object *o, enum obj_id id, const void *row)
{
	const struct object *ob = objects[id];
	size_t i;

	if (!o)
		o = json_object_new_object();
	for (i = 0; i < ob->nfields; i++)
		if (!ob->fields[i].no_json)
			put(o, ob->fields[i].name, value(&ob->fields[i], row));
	return o;
}

static struct json_object *gpus(const struct snapshot *s)
{
	struct json_object *a = json_object_new_array();
	uint32_t gpu;
	size_t i;

	for (gpu = 0; gpu < s->ngpus; gpu++) {
		struct json_object *g = json_object_new_object();
		struct json_object *e = json_object_new_array();

		json_object_object_add(g, "id", json_object_new_uint64(gpu));
		for (i = 0; i < s->neng; i++)
			if (s->eng[i].gpu == gpu)
				json_object_array_add(e, fill(NULL, OBJ_ENGINE, &s->eng[i]));
		json_object_object_add(g, "engines", e);
		json_object_array_add(a, g);
	}
	return a;
}

static struct json_object *rows(const struct snapshot *s, enum obj_id id)
{
	struct json_object *a = json_object_new_array();
	const struct object *ob = objects[id];
	size_t n, i;
	const char *r = obj_rows(ob, s, &n);

	for (i = 0; i < n; i++)
		json_object_array_add(a, fill(NULL, id, r + i * ob->size));
	return a;
}

int json_print(FILE *f, const struct snapshot *s)
{
	struct json_object *o = json_object_new_object();
	int ret;

	json_object_object_add(o, "version", json_object_new_uint64(GS_JSON_VERSION));
	fill(o, OBJ_GPUSTAT, s);
	json_object_object_add(o, "gpus", gpus(s));
	json_object_object_add(o, "vgpus", rows(s, OBJ_VGPU));
	json_object_object_add(o, "channels", rows(s, OBJ_CHAN));
	json_object_object_add(o, "processes", rows(s, OBJ_PROC));
	json_object_object_add(o, "cgroups", rows(s, OBJ_CGROUP));
	ret = fprintf(f, "%s\n", json_object_to_json_string_ext(o,
		      JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) < 0;
	json_object_put(o);
	return ret ? -1 : 0;
}
