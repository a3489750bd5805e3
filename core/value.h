/* value.h - "not known" values: every figure may be null, never a made-up zero. */
#ifndef UKSMTOP_VALUE_H
#define UKSMTOP_VALUE_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

/* Integers use INT64_MIN as null; doubles use NAN. */
#define VAL_NULL INT64_MIN

static inline bool val_known(int64_t v) { return v != VAL_NULL; }
static inline bool valf_known(double v) { return !isnan(v); }

#endif
