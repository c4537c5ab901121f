/* Compiled geoparsing for mapapp.geoparse: the same answers as its Python code, several times faster.
 *
 * Built by `python -m mapapp.fastbuild` (make run / make test do it); when it is missing or out of date,
 * mapapp.geoparse runs its own Python code instead, which stays the reference: tests/test_fastparse.py checks that
 * both give the same mentions, places, scores and candidates.
 *
 * resolve(): the namesake resolution of ``geoparse._Resolver`` (two passes over an article's ambiguous mentions,
 * each reading scored by its prior plus the article's evidence: closeness to the article's centre, to confident
 * places in the same sentence and the sentences beside it, and a bonus for a named oblast), with numpy's own order of
 * floating-point operations (its pairwise summation included), so that scores agree to the last bit.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The SHA-1 of this file, given by mapapp.fastbuild: mapapp.geoparse uses the module only when it was built from
 * the source beside it. */
#ifndef SOURCE_HASH
#define SOURCE_HASH ""
#endif

/* ------------------------------------------------------------------------------------------------------------
 * Parameters: set once from mapapp.geoparse (set_parameters), so that the constants live in one place. */

static double TEMPERATURE, NEAR_WEIGHT, BESIDE_WEIGHT, ARTICLE_WEIGHT, NEAR_SCALE_KM, ARTICLE_SCALE_KM;
static double REGION_NEAR_BONUS, REGION_BONUS, ANCHOR_CONFIDENCE;
static Py_ssize_t MAX_ANCHORS, MAX_CANDIDATES, FEW_FOR_CENTRE, FEW_FOR_ANCHOR;
static double CELL_DEG;
static int parameters_set = 0;

static PyObject *
set_parameters(PyObject *self, PyObject *args)
{
    if (!PyArg_ParseTuple(args, "dddddddddnnnnd", &TEMPERATURE, &NEAR_WEIGHT, &BESIDE_WEIGHT, &ARTICLE_WEIGHT,
                          &NEAR_SCALE_KM, &ARTICLE_SCALE_KM, &REGION_NEAR_BONUS, &REGION_BONUS, &ANCHOR_CONFIDENCE,
                          &MAX_ANCHORS, &MAX_CANDIDATES, &FEW_FOR_CENTRE, &FEW_FOR_ANCHOR, &CELL_DEG))
        return NULL;
    if (MAX_ANCHORS < 1 || MAX_ANCHORS > 256 || MAX_CANDIDATES < 1 || MAX_CANDIDATES > 256 || !(CELL_DEG > 0)) {
        PyErr_SetString(PyExc_ValueError, "MAX_ANCHORS and MAX_CANDIDATES must be 1 to 256, CELL_DEG positive");
        return NULL;
    }
    parameters_set = 1;
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------------------------------------------------
 * The gazetteer's places as columns (geoparse._Columns), copied once into C arrays held by a capsule. */

typedef struct {
    Py_ssize_t n;
    double *lat, *lon, *prior, *floor_km;
    Py_ssize_t *cell_y, *cell_x, *admin1, *region, *same_id;
    char *anchor;
    Py_ssize_t *flags;    /* geoparse._place_flags */
    Py_ssize_t n_codes;   /* oblast codes: 0 … n_codes − 1 */
    Py_ssize_t *seen, stamp;  /* scratch: a place met, by stamp (centre_of) */
} Columns;

static void
columns_free(PyObject *capsule)
{
    Columns *c = PyCapsule_GetPointer(capsule, "mapapp._fastparse.Columns");
    if (!c)
        return;
    free(c->lat); free(c->lon); free(c->prior); free(c->floor_km);
    free(c->cell_y); free(c->cell_x); free(c->admin1); free(c->region); free(c->same_id); free(c->anchor);
    free(c->seen); free(c->flags);
    free(c);
}

static int
copy_buffer(PyObject *obj, void **out, Py_ssize_t n, Py_ssize_t itemsize, const char *what)
{
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    if (view.len != n * itemsize) {
        PyBuffer_Release(&view);
        PyErr_Format(PyExc_ValueError, "column %s: %zd bytes, expected %zd", what, view.len, n * itemsize);
        return -1;
    }
    *out = malloc(n * itemsize + 1);
    if (!*out) {
        PyBuffer_Release(&view);
        PyErr_NoMemory();
        return -1;
    }
    memcpy(*out, view.buf, n * itemsize);
    PyBuffer_Release(&view);
    return 0;
}

/* columns(n, lat, lon, prior, floor, cell_y, cell_x, admin1, region, same_id, anchor, flags, n_codes): float64
 * columns, intp columns and one bool column, each of n places. */
static PyObject *
make_columns(PyObject *self, PyObject *args)
{
    Py_ssize_t n, n_codes;
    PyObject *lat, *lon, *prior, *floor_km, *cell_y, *cell_x, *admin1, *region, *same_id, *anchor, *flags;
    if (!PyArg_ParseTuple(args, "nOOOOOOOOOOOn", &n, &lat, &lon, &prior, &floor_km, &cell_y, &cell_x, &admin1,
                          &region, &same_id, &anchor, &flags, &n_codes))
        return NULL;
    if (n < 1 || n_codes < 0) {
        PyErr_SetString(PyExc_ValueError, "columns: no places");
        return NULL;
    }
    Columns *c = calloc(1, sizeof(Columns));
    if (!c)
        return PyErr_NoMemory();
    c->n = n;
    c->n_codes = n_codes;
    if (copy_buffer(lat, (void **)&c->lat, n, sizeof(double), "lat") < 0
        || copy_buffer(lon, (void **)&c->lon, n, sizeof(double), "lon") < 0
        || copy_buffer(prior, (void **)&c->prior, n, sizeof(double), "prior") < 0
        || copy_buffer(floor_km, (void **)&c->floor_km, n, sizeof(double), "floor") < 0
        || copy_buffer(cell_y, (void **)&c->cell_y, n, sizeof(Py_ssize_t), "cell_y") < 0
        || copy_buffer(cell_x, (void **)&c->cell_x, n, sizeof(Py_ssize_t), "cell_x") < 0
        || copy_buffer(admin1, (void **)&c->admin1, n, sizeof(Py_ssize_t), "admin1") < 0
        || copy_buffer(region, (void **)&c->region, n, sizeof(Py_ssize_t), "region") < 0
        || copy_buffer(same_id, (void **)&c->same_id, n, sizeof(Py_ssize_t), "same_id") < 0
        || copy_buffer(anchor, (void **)&c->anchor, n, 1, "anchor") < 0
        || copy_buffer(flags, (void **)&c->flags, n, sizeof(Py_ssize_t), "flags") < 0) {
        free(c->lat); free(c->lon); free(c->prior); free(c->floor_km); free(c->cell_y); free(c->cell_x);
        free(c->admin1); free(c->region); free(c->same_id); free(c->anchor); free(c->flags); free(c);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (c->same_id[i] < 0 || c->same_id[i] >= n || c->admin1[i] < -1 || c->admin1[i] >= n_codes
            || c->region[i] < -1 || c->region[i] >= n_codes) {
            free(c->lat); free(c->lon); free(c->prior); free(c->floor_km); free(c->cell_y); free(c->cell_x);
            free(c->admin1); free(c->region); free(c->same_id); free(c->anchor); free(c->flags); free(c);
            PyErr_SetString(PyExc_ValueError, "columns: same_id, admin1 or region out of range");
            return NULL;
        }
    }
    c->seen = calloc(n + 1, sizeof(Py_ssize_t));
    if (!c->seen) {
        free(c->lat); free(c->lon); free(c->prior); free(c->floor_km); free(c->cell_y); free(c->cell_x);
        free(c->admin1); free(c->region); free(c->same_id); free(c->anchor); free(c->flags); free(c);
        return PyErr_NoMemory();
    }
    return PyCapsule_New(c, "mapapp._fastparse.Columns", columns_free);
}

/* ------------------------------------------------------------------------------------------------------------
 * Arithmetic in numpy's order. */

static inline double
distance_km(double lat1, double lon1, double lat2, double lon2)
{
    /* geoparse._distances_km: np.radians(x) is x · (π/180). */
    double dx = (lon2 - lon1) * cos((lat1 + lat2) * 0.5 * (M_PI / 180.0));
    double dy = lat2 - lat1;
    return 111.195 * sqrt(dx * dx + dy * dy);
}

/* numpy's pairwise summation of float64 (what np.add.reduce and reduceat use). */
static double
pairwise_sum(const double *a, Py_ssize_t n)
{
    if (n < 8) {
        double res = 0.;
        for (Py_ssize_t i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    else if (n <= 128) {
        double r[8], res;
        Py_ssize_t i;
        for (int j = 0; j < 8; j++)
            r[j] = a[j];
        for (i = 8; i < n - (n % 8); i += 8) {
            for (int j = 0; j < 8; j++)
                r[j] += a[i + j];
        }
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    }
    else {
        Py_ssize_t n2 = n / 2;
        n2 -= n2 % 8;
        return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
    }
}

/* np.add.reduce of one segment: its first element, plus the pairwise sum of the rest. */
static inline double
segment_sum(const double *a, Py_ssize_t n)
{
    return a[0] + pairwise_sum(a + 1, n - 1);
}

/* The k-th smallest of ``a[0:n]`` (what sorted(a)[k] is), reordering ``a``. */
static double
kth_smallest(double *a, Py_ssize_t n, Py_ssize_t k)
{
    Py_ssize_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = a[(lo + hi) / 2];
        Py_ssize_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                double swap = a[i];
                a[i] = a[j];
                a[j] = swap;
                i++;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return a[k];
}

/* ------------------------------------------------------------------------------------------------------------
 * Resolution. */

typedef struct {
    /* the article's mentions */
    Py_ssize_t m;
    Py_ssize_t *sentence, *key;       /* per mention: sentence number, name key (an integer per distinct name) */
    Py_ssize_t *best_row;             /* per mention: its best reading now (position in the gazetteer) */
    double *best_conf;
    Py_ssize_t *first_row;            /* per mention: its prior-only best reading and confidence */
    double *first_conf;
    /* the ambiguous ones (todo), their readings one segment each */
    Py_ssize_t t;
    Py_ssize_t *todo, *offset, *count;
    double *quality;
    Py_ssize_t n;                     /* readings in all */
    Py_ssize_t *rows;
} Article;

typedef struct {
    /* anchors: confident answers in the theater, in mention order */
    Py_ssize_t a;
    Py_ssize_t *a_sentence, *a_key, *a_row, *a_same;
    /* oblasts named: (sentence, oblast code), in mention order; and as a sorted set, for comparing passes */
    Py_ssize_t r;
    Py_ssize_t *r_sentence, *r_code;
    Py_ssize_t *r_set;                /* sentence · n_codes + code, sorted, distinct */
    Py_ssize_t r_set_n;
    char *named;                      /* per oblast code: named anywhere in the article */
    int has_centre;
    double centre_lat, centre_lon;
    /* centre without one name's own anchors, per name key met (cache) */
    Py_ssize_t n_keys;
    char *without_done, *without_has, *is_anchor_key;  /* per name key */
    double *without_lat, *without_lon;
    /* scratch */
    double *lats, *lons;
} Evidence;

static void
evidence_free(Evidence *e)
{
    free(e->a_sentence); free(e->a_key); free(e->a_row); free(e->a_same);
    free(e->r_sentence); free(e->r_code); free(e->r_set); free(e->named);
    free(e->without_done); free(e->without_has); free(e->is_anchor_key); free(e->without_lat); free(e->without_lon);
    free(e->lats); free(e->lons);
    memset(e, 0, sizeof(Evidence));
}

static int
compare_ssize(const void *x, const void *y)
{
    Py_ssize_t a = *(const Py_ssize_t *)x, b = *(const Py_ssize_t *)y;
    return (a > b) - (a < b);
}

/* The median latitude and longitude of the first MAX_ANCHORS distinct places among the anchors (skipping those of
 * name ``skip_key``, −1 for none): geoparse._Evidence._centre. Returns 0 when there is none. */
static int
centre_of(const Columns *c, Evidence *e, Py_ssize_t skip_key, double *lat, double *lon)
{
    Py_ssize_t k = 0;
    Py_ssize_t limit = MAX_ANCHORS < 256 ? MAX_ANCHORS : 256;
    /* distinct places: marked in the columns' ``seen`` (a fresh stamp each time) */
    Py_ssize_t stamp = ++((Columns *)c)->stamp;
    for (Py_ssize_t i = 0; i < e->a && k < limit; i++) {
        if (e->a_key[i] == skip_key)
            continue;
        Py_ssize_t place = e->a_same[i];
        if (c->seen[place] == stamp)
            continue;
        c->seen[place] = stamp;
        e->lats[k] = c->lat[e->a_row[i]];
        e->lons[k] = c->lon[e->a_row[i]];
        k++;
    }
    if (!k)
        return 0;
    *lat = kth_smallest(e->lats, k, k / 2);
    *lon = kth_smallest(e->lons, k, k / 2);
    return 1;
}

static int
evidence_build(const Columns *c, const Article *art, Evidence *e, Py_ssize_t n_keys)
{
    Py_ssize_t m = art->m;
    e->a_sentence = malloc(sizeof(Py_ssize_t) * (m + 1));
    e->a_key = malloc(sizeof(Py_ssize_t) * (m + 1));
    e->a_row = malloc(sizeof(Py_ssize_t) * (m + 1));
    e->a_same = malloc(sizeof(Py_ssize_t) * (m + 1));
    e->r_sentence = malloc(sizeof(Py_ssize_t) * (m + 1));
    e->r_code = malloc(sizeof(Py_ssize_t) * (m + 1));
    e->r_set = malloc(sizeof(Py_ssize_t) * (m + 1));
    e->named = calloc(c->n_codes + 1, 1);
    e->n_keys = n_keys;
    e->without_done = calloc(n_keys + 1, 1);
    e->without_has = calloc(n_keys + 1, 1);
    e->is_anchor_key = calloc(n_keys + 1, 1);
    e->without_lat = malloc(sizeof(double) * (n_keys + 1));
    e->without_lon = malloc(sizeof(double) * (n_keys + 1));
    e->lats = malloc(sizeof(double) * 260);
    e->lons = malloc(sizeof(double) * 260);
    if (!e->a_sentence || !e->a_key || !e->a_row || !e->a_same || !e->r_sentence || !e->r_code || !e->r_set
        || !e->named || !e->without_done || !e->without_has || !e->is_anchor_key || !e->without_lat || !e->without_lon || !e->lats
        || !e->lons) {
        PyErr_NoMemory();
        return -1;
    }
    e->a = e->r = 0;
    for (Py_ssize_t i = 0; i < m; i++) {
        Py_ssize_t row = art->best_row[i];
        if (art->best_conf[i] >= ANCHOR_CONFIDENCE && c->anchor[row]) {
            e->a_sentence[e->a] = art->sentence[i];
            e->a_key[e->a] = art->key[i];
            e->a_row[e->a] = row;
            e->a_same[e->a] = c->same_id[row];
            e->is_anchor_key[art->key[i]] = 1;
            e->a++;
        }
        Py_ssize_t code = c->region[row];
        if (code >= 0) {
            e->r_sentence[e->r] = art->sentence[i];
            e->r_code[e->r] = code;
            e->r_set[e->r] = art->sentence[i] * c->n_codes + code;
            e->named[code] = 1;
            e->r++;
        }
    }
    qsort(e->r_set, e->r, sizeof(Py_ssize_t), compare_ssize);
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < e->r; i++) {
        if (k == 0 || e->r_set[k - 1] != e->r_set[i])
            e->r_set[k++] = e->r_set[i];
    }
    e->r_set_n = k;
    e->has_centre = e->a ? centre_of(c, e, -1, &e->centre_lat, &e->centre_lon) : 0;
    return 0;
}

/* The same anchors (sentence, name, place) and the same oblasts named as another pass's evidence. */
static int
evidence_same(const Evidence *x, const Evidence *y)
{
    if (x->a != y->a || x->r_set_n != y->r_set_n)
        return 0;
    size_t size = sizeof(Py_ssize_t);
    return !memcmp(x->a_sentence, y->a_sentence, size * x->a) && !memcmp(x->a_key, y->a_key, size * x->a)
           && !memcmp(x->a_row, y->a_row, size * x->a) && !memcmp(x->r_set, y->r_set, size * x->r_set_n);
}

/* The first position in ascending ``values[0:n]`` not below ``v`` (searchsorted left). */
static inline Py_ssize_t
lower_bound(const Py_ssize_t *values, Py_ssize_t n, Py_ssize_t v)
{
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (values[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

typedef struct {
    double *score, *added, *nearest_same, *nearest_beside, *weight, *confidence;
    char *changed;
    Py_ssize_t *order;
    Py_ssize_t size;
} Scratch;

static int
scratch_reserve(Scratch *s, Py_ssize_t n)
{
    if (n <= s->size)
        return 0;
    free(s->score); free(s->added); free(s->nearest_same); free(s->nearest_beside); free(s->weight);
    free(s->confidence); free(s->changed); free(s->order);
    s->score = malloc(sizeof(double) * n);
    s->added = malloc(sizeof(double) * n);
    s->nearest_same = malloc(sizeof(double) * n);
    s->nearest_beside = malloc(sizeof(double) * n);
    s->weight = malloc(sizeof(double) * n);
    s->confidence = malloc(sizeof(double) * n);
    s->changed = malloc(n);
    s->order = malloc(sizeof(Py_ssize_t) * n);
    s->size = n;
    if (!s->score || !s->added || !s->nearest_same || !s->nearest_beside || !s->weight || !s->confidence
        || !s->changed || !s->order) {
        s->size = 0;
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void
scratch_free(Scratch *s)
{
    free(s->score); free(s->added); free(s->nearest_same); free(s->nearest_beside); free(s->weight);
    free(s->confidence); free(s->changed); free(s->order);
    memset(s, 0, sizeof(Scratch));
}

/* Does reading ``a`` come before reading ``b``? Best score first, then those the evidence touched, then in the
 * gazetteer's order (np.lexsort((~changed, −score, segment)) is stable). */
static inline int
ranks_before(const double *score, const char *changed, Py_ssize_t a, Py_ssize_t b)
{
    double sa = -score[a], sb = -score[b];
    if (sa != sb)
        return sa < sb;
    if (changed[a] != changed[b])
        return changed[a] > changed[b];
    return a < b;
}

/* Ranks mention ``j`` of the todo list against the evidence. Returns 1 and fills the scratch's ``order`` (the
 * first min(count, MAX_CANDIDATES) readings, best first, as positions in the segment: the head of a full sort) and
 * ``confidence`` when the evidence touched one of its readings, 0 when it touched none (the prior-only ranking
 * stands). */
static int
rank_one(const Columns *c, const Article *art, Evidence *e, Py_ssize_t j, Scratch *s)
{
    Py_ssize_t i = art->todo[j], off = art->offset[j], cnt = art->count[j];
    Py_ssize_t sentence = art->sentence[i], key = art->key[i];
    const Py_ssize_t *rows = art->rows + off;
    double *added = s->added, *score = s->score;
    char *changed = s->changed;
    int touched = 0;

    for (Py_ssize_t r = 0; r < cnt; r++) {
        added[r] = 0.0;
        changed[r] = 0;
    }
    /* 1. closeness to the article's centre (for a name that is an anchor itself, the other names' centre) */
    if (e->has_centre) {
        double c_lat = e->centre_lat, c_lon = e->centre_lon;
        int have = 1;
        if (e->is_anchor_key[key]) {
            if (!e->without_done[key]) {
                e->without_done[key] = 1;
                e->without_has[key] = (char)centre_of(c, e, key, &e->without_lat[key], &e->without_lon[key]);
            }
            have = e->without_has[key];
            c_lat = e->without_lat[key];
            c_lon = e->without_lon[key];
        }
        if (have) {
            Py_ssize_t c_y = (Py_ssize_t)floor(c_lat / CELL_DEG), c_x = (Py_ssize_t)floor(c_lon / CELL_DEG);
            int few = cnt <= FEW_FOR_CENTRE;
            for (Py_ssize_t r = 0; r < cnt; r++) {
                Py_ssize_t row = rows[r];
                Py_ssize_t dy = c->cell_y[row] - c_y, dx = c->cell_x[row] - c_x;
                if (few || (dy >= -2 && dy <= 2 && dx >= -2 && dx <= 2)) {
                    changed[r] = 1;
                    added[r] = ARTICLE_WEIGHT
                               * exp(distance_km(c->lat[row], c->lon[row], c_lat, c_lon) / -ARTICLE_SCALE_KM);
                }
            }
        }
    }
    /* 2. the nearest anchor of another name in the same sentence, and in the sentences beside it */
    if (e->a) {
        Py_ssize_t lo = lower_bound(e->a_sentence, e->a, sentence - 1);
        Py_ssize_t hi = lower_bound(e->a_sentence, e->a, sentence + 2);
        int any = 0;
        for (Py_ssize_t r = 0; r < cnt; r++)
            s->nearest_same[r] = s->nearest_beside[r] = INFINITY;
        int few = cnt <= FEW_FOR_ANCHOR;
        for (Py_ssize_t a = lo; a < hi; a++) {
            if (e->a_key[a] == key)
                continue;
            any = 1;
            Py_ssize_t arow = e->a_row[a];
            double *nearest = e->a_sentence[a] != sentence ? s->nearest_beside : s->nearest_same;
            double a_lat = c->lat[arow], a_lon = c->lon[arow];
            Py_ssize_t a_y = c->cell_y[arow], a_x = c->cell_x[arow];
            for (Py_ssize_t r = 0; r < cnt; r++) {
                Py_ssize_t row = rows[r];
                Py_ssize_t dy = c->cell_y[row] - a_y, dx = c->cell_x[row] - a_x;
                if (few || (dy >= -1 && dy <= 1 && dx >= -1 && dx <= 1)) {
                    double d = distance_km(c->lat[row], c->lon[row], a_lat, a_lon);
                    double f = c->floor_km[row];
                    if (f > d)  /* np.maximum(floor, d) */
                        d = f;
                    if (d < nearest[r])
                        nearest[r] = d;
                }
            }
        }
        if (any) {
            for (Py_ssize_t r = 0; r < cnt; r++) {
                double same = s->nearest_same[r], beside = s->nearest_beside[r];
                /* exp(−∞) · w is 0: no anchor near, nothing to add (and no exp to compute) */
                double t1 = same < INFINITY ? exp(same / -NEAR_SCALE_KM) * NEAR_WEIGHT : 0.0;
                double t2 = beside < INFINITY ? exp(beside / -NEAR_SCALE_KM) * BESIDE_WEIGHT : 0.0;
                added[r] = added[r] + t1 + t2;
                if (same < INFINITY || beside < INFINITY)
                    changed[r] = 1;
            }
        }
    }
    /* 3. an oblast the article names, more when named in this sentence or one beside */
    if (e->r) {
        Py_ssize_t lo = lower_bound(e->r_sentence, e->r, sentence - 1);
        Py_ssize_t hi = lower_bound(e->r_sentence, e->r, sentence + 2);
        for (Py_ssize_t r = 0; r < cnt; r++) {
            Py_ssize_t code = c->admin1[rows[r]];
            if (code < 0 || !e->named[code])
                continue;
            int near = 0;
            for (Py_ssize_t q = lo; q < hi; q++) {
                if (e->r_code[q] == code) {
                    near = 1;
                    break;
                }
            }
            added[r] = added[r] + (near ? REGION_NEAR_BONUS : REGION_BONUS);
            changed[r] = 1;
        }
    }
    for (Py_ssize_t r = 0; r < cnt; r++)
        touched |= changed[r];
    if (!touched)
        return 0;
    double top = -INFINITY;
    for (Py_ssize_t r = 0; r < cnt; r++) {
        score[r] = c->prior[rows[r]] + added[r];
        if (score[r] > top)
            top = score[r];
    }
    for (Py_ssize_t r = 0; r < cnt; r++)
        s->weight[r] = exp((score[r] - top) / TEMPERATURE);
    double total = segment_sum(s->weight, cnt);
    double quality = art->quality[j];
    Py_ssize_t kept = 0, keep = cnt < MAX_CANDIDATES ? cnt : MAX_CANDIDATES;
    for (Py_ssize_t r = 0; r < cnt; r++) {
        s->confidence[r] = s->weight[r] / total * quality;
        /* insertion into the best ``keep`` so far (readings come in order: an equal one goes after) */
        if (kept == keep && !ranks_before(score, changed, r, s->order[kept - 1]))
            continue;
        Py_ssize_t at = kept < keep ? kept++ : keep - 1;
        while (at > 0 && ranks_before(score, changed, r, s->order[at - 1])) {
            s->order[at] = s->order[at - 1];
            at--;
        }
        s->order[at] = r;
    }
    return 1;
}

static void
article_free(Article *art)
{
    free(art->sentence); free(art->key); free(art->best_row); free(art->best_conf); free(art->first_row);
    free(art->first_conf); free(art->todo); free(art->offset); free(art->count); free(art->quality); free(art->rows);
    memset(art, 0, sizeof(Article));
}

/* Ranked answers of one pass, per todo mention: 1 with rows and confidences, or 0 for the prior-only ranking. */
typedef struct {
    char *has;
    Py_ssize_t *size;
    Py_ssize_t *rows;      /* MAX_CANDIDATES per todo mention */
    double *conf;
} Ranked;

/* Resolves the article's todo mentions in context (geoparse._Resolver.resolve). */
static int
resolve_article(const Columns *c, Article *art, Py_ssize_t n_keys, Ranked *out)
{
    Py_ssize_t t = art->t;
    Py_ssize_t *active = malloc(sizeof(Py_ssize_t) * (t + 1));
    Scratch s = {0};
    Evidence evidence[2];
    memset(evidence, 0, sizeof(evidence));
    int result = -1, previous = -1;
    if (!active) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t n_active = t;
    for (Py_ssize_t j = 0; j < t; j++)
        active[j] = j;
    Py_ssize_t widest = 0;
    for (Py_ssize_t j = 0; j < t; j++)
        if (art->count[j] > widest)
            widest = art->count[j];
    if (scratch_reserve(&s, widest + 1) < 0)
        goto done;
    for (int pass = 0; pass < 2; pass++) {
        if (!n_active)
            break;
        Evidence *e = &evidence[pass];
        if (evidence_build(c, art, e, n_keys) < 0)
            goto done;
        if (previous >= 0 && evidence_same(e, &evidence[previous]))
            break;
        previous = pass;
        /* this pass ranks against the evidence as it was when the pass began */
        Py_ssize_t *new_row = malloc(sizeof(Py_ssize_t) * (art->m + 1));
        double *new_conf = malloc(sizeof(double) * (art->m + 1));
        if (!new_row || !new_conf) {
            free(new_row);
            free(new_conf);
            PyErr_NoMemory();
            goto done;
        }
        memcpy(new_row, art->best_row, sizeof(Py_ssize_t) * art->m);
        memcpy(new_conf, art->best_conf, sizeof(double) * art->m);
        for (Py_ssize_t q = 0; q < n_active; q++) {
            Py_ssize_t j = active[q], i = art->todo[j];
            if (rank_one(c, art, e, j, &s)) {
                Py_ssize_t keep = art->count[j] < MAX_CANDIDATES ? art->count[j] : MAX_CANDIDATES;
                out->has[j] = 1;
                out->size[j] = keep;
                for (Py_ssize_t r = 0; r < keep; r++) {
                    Py_ssize_t at = s.order[r];
                    out->rows[j * MAX_CANDIDATES + r] = art->rows[art->offset[j] + at];
                    out->conf[j * MAX_CANDIDATES + r] = s.confidence[at];
                }
                new_row[i] = out->rows[j * MAX_CANDIDATES];
                new_conf[i] = out->conf[j * MAX_CANDIDATES];
            }
            else {
                out->has[j] = 0;
                new_row[i] = art->first_row[i];
                new_conf[i] = art->first_conf[i];
            }
        }
        memcpy(art->best_row, new_row, sizeof(Py_ssize_t) * art->m);
        memcpy(art->best_conf, new_conf, sizeof(double) * art->m);
        free(new_row);
        free(new_conf);
        Py_ssize_t kept = 0;
        for (Py_ssize_t q = 0; q < n_active; q++) {
            Py_ssize_t j = active[q];
            if (art->best_conf[art->todo[j]] < ANCHOR_CONFIDENCE)
                active[kept++] = j;
        }
        n_active = kept;
    }
    result = 0;
done:
    free(active);
    scratch_free(&s);
    evidence_free(&evidence[0]);
    evidence_free(&evidence[1]);
    return result;
}

static int
ssize_of(PyObject *obj, Py_ssize_t *out)
{
    *out = PyLong_AsSsize_t(obj);
    return (*out == -1 && PyErr_Occurred()) ? -1 : 0;
}

/* ------------------------------------------------------------------------------------------------------------
 * Recognition and the whole article: parse(text, context, min_score) → [Mention, …], as
 * geoparse.mentions_from_text's Python code. What is learnt once per distinct word (its pieces, whether it is a
 * surname…), the regular expressions of the rare cases and the readings of a name stay in Python (``context``, made
 * by geoparse._State.compiled_context): called from here, so that both codes give the same answers. */

enum {
    CX_COLUMNS, CX_KNOWN, CX_NAMES, CX_LEARN, CX_PREFIXES, CX_NAME_INDEX, CX_SURNAMES, CX_IS_SURNAME,
    CX_AFTER, CX_AND_REGIONS, CX_RIVER_AFTER, CX_RIVER_BEFORE, CX_SETTLEMENT_BEFORE, CX_LOCATIVE_BEFORE,
    CX_TITLE_BEFORE, CX_COMMON_WORDS, CX_OPTIONS_FOR,
    CX_PLACES, CX_MENTION, CX_SETTERS, CX_DECIDED,
    /* what learning a new word needs (geoparse._pieces, _piece, _Recognizer.multi_word, _options_for) */
    CX_NORMALIZE, CX_RESOLVE_KEY, CX_NEVER_PLACES, CX_WORD_LIKE, CX_PIECE, CX_PIECE_SETTERS, CX_MULTI,
    CX_OPTIONS_MEMO, CX_OPTIONS, CX_OPTIONS_SETTERS, CX_MEMO_LIMIT, CX_OPTIONS_LIMIT,
    /* the gazetteer's memos (gazetteer._NORMALIZED, Gazetteer._lookups) and their limits */
    CX_NORMALIZED, CX_NORMALIZED_MAX, CX_LOOKUPS, CX_LOOKUPS_MAX, CX_SIZE
};

/* _Piece.bits (geoparse._piece) */
#define BIT_ALL_COUNTRIES 1
#define BIT_HAS_RIVER 2
#define BIT_HAS_OTHER_KINDS 4
#define BIT_BIG 8
#define BIT_WORD_LIKE 16
#define BIT_ALL_SMALL 32

static PyObject *S_offset, *S_surface, *S_key, *S_bits, *S_plain, *S_rows, *S_quality, *S_first_rows,
    *S_first_confidence, *S_tail, *S_kind, *S_settlement, *S_region, *S_raion, *S_river, *S_round, *THREE;

/* round(x, 3) as Python computes it (the decimal nearest to x's exact value, ties to even, read back as the nearest
 * float): with a 64-bit mantissa, x · 1000 is exact (53 + 10 bits) and nearbyintl rounds it half to even; k / 1000
 * is then the float nearest to k/1000. Elsewhere, or for a value too big, Python's own round. */
static PyObject *
round3(double x)
{
#if LDBL_MANT_DIG >= 64
    if (x >= 0.0 && x < 1e15) {
        long double k = nearbyintl((long double)x * 1000.0L);
        return PyFloat_FromDouble((double)k / 1000.0);
    }
#endif
    PyObject *value = PyFloat_FromDouble(x), *result = NULL;
    if (value) {
        PyObject *call_args[2] = {value, THREE};
        result = PyObject_VectorcallMethod(S_round, call_args, 2, NULL);
        Py_DECREF(value);
    }
    return result;
}

/* The text, read through its kind (1, 2 or 4 bytes a character). */
typedef struct {
    int kind;
    const void *data;
    Py_ssize_t len;
} Text;

#define CH(t, i) PyUnicode_READ((t)->kind, (t)->data, (i))

static unsigned char upper_table[0x530];  /* geoparse._UPPER: capitals that may open a name */

static inline int
is_upper(Py_UCS4 c)
{
    return c < 0x530 && upper_table[c];
}

static inline int
is_word(Py_UCS4 c)          /* \w */
{
    return Py_UNICODE_ISALNUM(c) || c == '_';
}

static inline int
is_word_char(Py_UCS4 c)     /* geoparse._WORD_CHARS: \w and ’ ' ʼ ´ ` */
{
    return is_word(c) || c == 0x2019 || c == '\'' || c == 0x02BC || c == 0x00B4 || c == '`';
}

static inline int
is_ascii_upper(Py_UCS4 c)
{
    return c >= 'A' && c <= 'Z';
}

/* geoparse._TOKEN_ANY (``prefixes``: the text holds "pro-", "anti-" or "ex-") at ``i``: the token's end, or −1. */
static Py_ssize_t
token_at(const Text *t, Py_ssize_t i, int prefixes)
{
    Py_UCS4 c = CH(t, i);
    int upper = is_upper(c);
    if (!upper && !(prefixes && (c == 'p' || c == 'a' || c == 'e')))
        return -1;
    if (i > 0) {
        Py_UCS4 p = CH(t, i - 1);
        if (is_word(p) || p == 0x2019 || p == '\'' || p == 0x02BC)
            return -1;
    }
    Py_ssize_t n = t->len, j = i + 1;
    /* an initialism: U.S. */
    if (is_ascii_upper(c) && j < n && CH(t, j) == '.') {
        Py_ssize_t k = j + 1, last = -1;
        while (k + 1 < n && is_ascii_upper(CH(t, k)) && CH(t, k + 1) == '.') {
            k += 2;
            last = k;
        }
        if (last > 0)
            return last;
    }
    if (!upper) {
        /* pro-, anti-, ex- before a capitalised word */
        const char *rest = c == 'p' ? "ro-" : c == 'a' ? "nti-" : "x-";
        Py_ssize_t k = j;
        for (; *rest; rest++, k++) {
            if (k >= n || CH(t, k) != (Py_UCS4)(unsigned char)*rest)
                return -1;
        }
        if (k >= n || !is_upper(CH(t, k)))
            return -1;
        j = k + 1;
    }
    while (j < n && is_word_char(CH(t, j)))
        j++;
    while (j + 1 < n && CH(t, j) == '-' && is_word_char(CH(t, j + 1))) {
        j += 2;
        while (j < n && is_word_char(CH(t, j)))
            j++;
    }
    return j;
}

/* The suffixes window_endswith looks for (set_suffixes), per group, as characters in C, by their last character
 * (ASCII; [128]: the others). */
#define SUFFIX_GROUPS 3
#define SUFFIX_MAX 32
enum { UNIT_BEFORE, NAME_PART_BEFORE, TITLE_ENDS };
typedef struct {
    Py_ssize_t len;
    Py_UCS4 chars[SUFFIX_MAX];
} Suffix;
typedef struct {
    Suffix *items;
    Py_ssize_t n;
} SuffixBucket;
static SuffixBucket suffix_buckets[SUFFIX_GROUPS][129];

/* Does ``text[a:b]`` (``a`` clipped at 0) end with one of the group's suffixes? ``strip``: after removing trailing
 * whitespace first (str.rstrip()). */
static int
window_endswith(const Text *t, Py_ssize_t a, Py_ssize_t b, int group, int strip)
{
    if (a < 0)
        a = 0;
    if (strip)
        while (b > a && Py_UNICODE_ISSPACE(CH(t, b - 1)))
            b--;
    if (b <= a)
        return 0;
    Py_UCS4 last = CH(t, b - 1);
    const SuffixBucket *bucket = &suffix_buckets[group][last < 128 ? last : 128];
    for (Py_ssize_t s = 0; s < bucket->n; s++) {
        const Suffix *suffix = &bucket->items[s];
        Py_ssize_t ls = suffix->len;
        if (ls > b - a)
            continue;
        Py_ssize_t k = 0;
        while (k < ls && suffix->chars[ls - 1 - k] == CH(t, b - 1 - k))
            k++;
        if (k == ls)
            return 1;
    }
    return 0;
}

/* geoparse._is_sentence_initial */
static int
sentence_initial(const Text *t, Py_ssize_t start)
{
    Py_ssize_t i = start - 1;
    while (i >= 0) {
        Py_UCS4 c = CH(t, i);
        if (c == ' ' || c == '\t' || c == '\r' || c == '"' || c == 0x201C || c == 0x2018 || c == '\'' || c == '('
            || c == '[' || c == 0x00AB || c == 0x2014 || c == 0x2013 || c == '-')
            i--;
        else
            break;
    }
    if (i < 0)
        return 1;
    Py_UCS4 c = CH(t, i);
    return c == '.' || c == '!' || c == '?' || c == 0x2026 || c == '\n' || c == ':' || c == ';' || c == '>'
           || c == 0x201D || c == 0x2019;
}

/* The ends of geoparse._SENTENCE_END matches, in order (sentence starts are 0 and these). */
static Py_ssize_t *
sentence_ends(const Text *t, Py_ssize_t *count)
{
    Py_ssize_t n = t->len, k = 0, cap = 64;
    Py_ssize_t *ends = malloc(sizeof(Py_ssize_t) * cap);
    if (!ends)
        return (Py_ssize_t *)PyErr_NoMemory();
    Py_ssize_t i = 0;
    while (i < n) {
        Py_UCS4 c = CH(t, i);
        Py_ssize_t end = -1;
        if (c == '\n') {
            end = i + 1;
        }
        else if (c == '.' || c == '!' || c == '?' || c == 0x2026) {
            Py_ssize_t j = i + 1;
            while (j < n && ((c = CH(t, j)) == '.' || c == '!' || c == '?' || c == 0x2026))
                j++;
            Py_ssize_t stop = j;
            while (j < n && ((c = CH(t, j)) == '"' || c == 0x201D || c == 0x2019 || c == 0x00BB || c == ')'
                             || c == ']'))
                j++;
            if (j < n && Py_UNICODE_ISSPACE(CH(t, j)))
                end = j;
            else {
                i = stop;  /* no match starts inside this run of stops */
                continue;
            }
        }
        if (end < 0) {
            i++;
            continue;
        }
        if (k == cap) {
            cap *= 2;
            Py_ssize_t *grown = realloc(ends, sizeof(Py_ssize_t) * cap);
            if (!grown) {
                free(ends);
                return (Py_ssize_t *)PyErr_NoMemory();
            }
            ends = grown;
        }
        ends[k++] = end;
        i = end;
    }
    *count = k;
    return ends;
}

/* One name found (geoparse._candidate_spans' tuples). */
typedef struct {
    Py_ssize_t start, end;
    PyObject *piece;      /* a strong reference (a full memo keeps new words only for the article) */
    PyObject *hint;       /* NULL, or an interned "region", "raion", "river" */
    int cue;              /* "the town of X" */
    long bits;            /* the piece's bits */
} Span;

static PyObject *
call3(PyObject *f, PyObject *a, Py_ssize_t b, Py_ssize_t c)
{
    PyObject *pb = PyLong_FromSsize_t(b), *pc = PyLong_FromSsize_t(c);
    PyObject *result = NULL;
    if (pb && pc) {
        PyObject *args[3] = {a, pb, pc};
        result = PyObject_Vectorcall(f, args, 3, NULL);
    }
    Py_XDECREF(pb);
    Py_XDECREF(pc);
    return result;
}

static PyObject *
call1(PyObject *f, PyObject *a)
{
    PyObject *args[1] = {a};
    return PyObject_Vectorcall(f, args, 1, NULL);
}

/* A truth value from a call's result (a match or None, a bool), −1 on error. */
static int
truth_of(PyObject *result)
{
    if (!result)
        return -1;
    int truth = PyObject_IsTrue(result);
    Py_DECREF(result);
    return truth;
}

/* geoparse._span_in_context: fills ``span`` and returns 1, 0 when the words around say it is no place, −1 on
 * error. */
static int
span_in_context(PyObject *cx, PyObject *text, const Text *t, PyObject *piece, Py_ssize_t start, Span *span)
{
    PyObject *surface = PyObject_GetAttr(piece, S_surface), *bits_obj = PyObject_GetAttr(piece, S_bits);
    PyObject *before = NULL, *after = NULL, *follower = NULL;
    int result = -1;
    if (!surface || !bits_obj)
        goto done;
    long bits = PyLong_AsLong(bits_obj);
    if (bits == -1 && PyErr_Occurred())
        goto done;
    Py_ssize_t end = start + PyUnicode_GET_LENGTH(surface), n = t->len;
    span->start = start;
    span->end = end;
    span->piece = piece;
    span->hint = NULL;
    span->cue = 0;
    span->bits = bits;
    if (bits & BIT_ALL_COUNTRIES) {
        result = 1;
        goto done;
    }
    PyObject *hint = NULL;
    int cue = 0;
    /* _AFTER can only match at a region word (after spaces), or at a space and a capital: the regex is asked only
     * then (geoparse._REGION_AFTER's words begin reg, obl, pro, gov, peo, dis, rai, ray) */
    Py_ssize_t limit = end + 40 < n ? end + 40 : n, i = end;
    while (i < limit && Py_UNICODE_ISSPACE(CH(t, i)))
        i++;
    int possible = 0;
    if (i + 3 <= limit) {
        /* the first three letters of a region word, case-insensitively (a non-ASCII letter: ask the regex) */
        char head[4] = {0, 0, 0, 0};
        for (int k = 0; k < 3; k++) {
            Py_UCS4 c = CH(t, i + k);
            if (c >= 128) {
                possible = 1;
                break;
            }
            head[k] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        if (!possible) {
            static const char *heads[] = {"reg", "obl", "pro", "gov", "peo", "dis", "rai", "ray"};
            for (size_t k = 0; k < sizeof(heads) / sizeof(heads[0]) && !possible; k++)
                possible = !memcmp(head, heads[k], 3);
        }
    }
    if (!possible && end + 1 < limit) {
        Py_UCS4 c = CH(t, end);
        possible = (c == ' ' || c == 0xA0) && is_upper(CH(t, end + 1));
    }
    if (possible) {
        after = call3(PyTuple_GET_ITEM(cx, CX_AFTER), text, end, end + 40);
        if (!after)
            goto done;
        if (after == Py_None)
            Py_CLEAR(after);
    }
    if (after) {
        PyObject *groups = PyObject_CallMethod(after, "groups", NULL);
        if (!groups)
            goto done;
        PyObject *raion = PyTuple_GET_ITEM(groups, 1), *third = PyTuple_GET_ITEM(groups, 2);
        if (third == Py_None)
            hint = raion != Py_None ? S_raion : S_region;
        else {
            follower = third;
            Py_INCREF(follower);
        }
        Py_DECREF(groups);
    }
    if (!hint) {  /* no region word after it: "the X and Y regions", or a river */
        int and_regions = 0;
        if (end + 5 <= n && CH(t, end) == ' ' && CH(t, end + 1) == 'a' && CH(t, end + 2) == 'n'
            && CH(t, end + 3) == 'd' && CH(t, end + 4) == ' ') {
            and_regions = truth_of(call3(PyTuple_GET_ITEM(cx, CX_AND_REGIONS), text, end, end + 60));
            if (and_regions < 0)
                goto done;
        }
        if (and_regions)
            hint = S_region;
        else if (bits & BIT_HAS_RIVER) {
            before = PyUnicode_Substring(text, start >= 40 ? start - 40 : 0, start);
            if (!before)
                goto done;
            int river = truth_of(call3(PyTuple_GET_ITEM(cx, CX_RIVER_AFTER), text, end, end + 40));
            if (river == 0)
                river = truth_of(call1(PyTuple_GET_ITEM(cx, CX_RIVER_BEFORE), before));
            if (river < 0)
                goto done;
            if (river)
                hint = S_river;
        }
    }
    if (bits & BIT_HAS_OTHER_KINDS) {
        if (!before && !(before = PyUnicode_Substring(text, start >= 40 ? start - 40 : 0, start)))
            goto done;
        /* before.rstrip()[-2:].lower() == "of", then _SETTLEMENT_BEFORE */
        Py_ssize_t a = start >= 40 ? start - 40 : 0, b = start;
        while (b > a && Py_UNICODE_ISSPACE(CH(t, b - 1)))
            b--;
        if (b - a >= 2) {
            Py_UCS4 o = CH(t, b - 2), f = CH(t, b - 1);
            if ((o == 'o' || o == 'O') && (f == 'f' || f == 'F')) {
                cue = truth_of(call1(PyTuple_GET_ITEM(cx, CX_SETTLEMENT_BEFORE), before));
                if (cue < 0)
                    goto done;
            }
        }
    }
    if (!hint && window_endswith(t, start - 14, start, UNIT_BEFORE, 1)) {
        result = 0;
        goto done;
    }
    if (window_endswith(t, start - 10, start, NAME_PART_BEFORE, 0)) {
        result = 0;
        goto done;
    }
    if (!hint && !(bits & BIT_BIG)) {
        if (window_endswith(t, start - 30, start, TITLE_ENDS, 1)) {
            Py_ssize_t a = start >= 30 ? start - 30 : 0, b = start;
            while (b > a && Py_UNICODE_ISSPACE(CH(t, b - 1)))
                b--;
            PyObject *window = PyUnicode_Substring(text, a, b);
            int title = window ? truth_of(call1(PyTuple_GET_ITEM(cx, CX_TITLE_BEFORE), window)) : -1;
            Py_XDECREF(window);
            if (title < 0)
                goto done;
            if (title) {
                result = 0;
                goto done;
            }
        }
        if (follower) {
            PyObject *known = PyDict_GetItemWithError(PyTuple_GET_ITEM(cx, CX_SURNAMES), follower);
            int surname;
            if (known)
                surname = PyObject_IsTrue(known);
            else if (PyErr_Occurred())
                goto done;
            else
                surname = truth_of(call1(PyTuple_GET_ITEM(cx, CX_IS_SURNAME), follower));
            if (surname < 0)
                goto done;
            if (surname) {
                result = 0;
                goto done;
            }
        }
    }
    if (bits & BIT_WORD_LIKE) {
        if (!before && !(before = PyUnicode_Substring(text, start >= 40 ? start - 40 : 0, start)))
            goto done;
        PyObject *key = PyObject_GetAttr(piece, S_key);
        if (!key)
            goto done;
        int common = PySet_Contains(PyTuple_GET_ITEM(cx, CX_COMMON_WORDS), key);
        Py_DECREF(key);
        if (common < 0)
            goto done;
        if (common && !hint && !cue) {
            int locative = truth_of(call1(PyTuple_GET_ITEM(cx, CX_LOCATIVE_BEFORE), before));
            if (locative < 0)
                goto done;
            if (!locative) {
                result = 0;
                goto done;
            }
        }
        if (!hint && (bits & BIT_ALL_SMALL) && sentence_initial(t, start)) {
            result = 0;
            goto done;
        }
    }
    span->hint = hint;
    span->cue = cue;
    result = 1;
done:
    Py_XDECREF(surface);
    Py_XDECREF(bits_obj);
    Py_XDECREF(before);
    Py_XDECREF(after);
    Py_XDECREF(follower);
    return result;
}

/* ------------------------------------------------------------------------------------------------------------
 * Learning a new word, once per gazetteer (geoparse._pieces, _piece, _Recognizer.learn and multi_word,
 * _options_for without a kind hint, _prior_tail). */

static inline int
is_apostrophe(Py_UCS4 c)
{
    return c == '\'' || c == 0x2019 || c == 0x02BC;
}

/* str.isupper() */
static int
str_isupper(PyObject *s)
{
    int kind = PyUnicode_KIND(s), cased = 0;
    const void *data = PyUnicode_DATA(s);
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(s); i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISLOWER(c) || Py_UNICODE_ISTITLE(c))
            return 0;
        if (!cased && Py_UNICODE_ISUPPER(c))
            cased = 1;
    }
    return cased;
}

/* A new reference to ``obj``'s slot through its member descriptor (the class's own __setattr__ bypassed, as
 * geoparse does for its frozen Mention). */
static int
set_slot(PyObject *descriptor, PyObject *obj, PyObject *value)
{
    return Py_TYPE(descriptor)->tp_descr_set(descriptor, obj, value);
}

/* What this code keeps in the memos, and the candidates it hands out, can hold no reference cycle: strings,
 * numbers, places, pieces and readings, none of which points back. They are taken off the garbage collector's
 * lists, which otherwise walks every one of them again and again while a corpus is read (a sixth of a first pass
 * over the benchmark's corpus). A memo that already holds a tracked object is left as it is. */
static inline PyObject *
untracked(PyObject *obj)
{
    if (obj && PyObject_IS_GC(obj))
        PyObject_GC_UnTrack(obj);
    return obj;
}

/* An instance of a slotted class made without its __init__: object.__new__ and every slot set. */
static PyObject *
new_slotted(PyObject *type_obj, PyObject *setters, PyObject **values)
{
    PyTypeObject *type = (PyTypeObject *)type_obj;
    PyObject *obj = type->tp_alloc(type, 0);
    if (!obj)
        return NULL;
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(setters); k++) {
        if (set_slot(PyTuple_GET_ITEM(setters, k), obj, values[k]) < 0) {
            Py_DECREF(obj);
            return NULL;
        }
    }
    return obj;
}

/* gazetteer.normalize_name: its memo, and its ASCII case in C (lower case; apostrophes and backquotes dropped;
 * hyphens, dots and slashes as spaces; runs of whitespace as one space, none at the ends); other text goes to
 * Python. A new reference. */
static PyObject *
normalize(PyObject *cx, PyObject *text)
{
    PyObject *memo = PyTuple_GET_ITEM(cx, CX_NORMALIZED);
    PyObject *found = PyDict_GetItemWithError(memo, text);
    if (found) {
        Py_INCREF(found);
        return found;
    }
    if (PyErr_Occurred())
        return NULL;
    if (!PyUnicode_IS_ASCII(text))
        return call1(PyTuple_GET_ITEM(cx, CX_NORMALIZE), text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), k = 0;
    const Py_UCS1 *data = PyUnicode_1BYTE_DATA(text);
    char small[256], *out = n < (Py_ssize_t)sizeof(small) ? small : malloc(n + 1);
    if (!out)
        return PyErr_NoMemory();
    int pending_space = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS1 c = data[i];
        if (c == '\'' || c == '`')
            continue;
        if (c == '-' || c == '.' || c == '/' || Py_UNICODE_ISSPACE(c)) {
            pending_space = k > 0;
            continue;
        }
        if (pending_space) {
            out[k++] = ' ';
            pending_space = 0;
        }
        out[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    found = PyUnicode_FromStringAndSize(out, k);
    if (out != small)
        free(out);
    if (!found)
        return NULL;
    if (PyDict_GET_SIZE(memo) >= PyLong_AsSsize_t(PyTuple_GET_ITEM(cx, CX_NORMALIZED_MAX)))
        PyDict_Clear(memo);
    if (PyDict_SetItem(memo, text, found) < 0)
        Py_CLEAR(found);
    return found;
}

/* Gazetteer.resolve_key_ids: its memo, and an exact key in C; a key the index lacks (the fuzzy look-up) goes to
 * Python. A new reference to (ids, matched fuzzily). */
static PyObject *
resolve_key(PyObject *cx, PyObject *key)
{
    PyObject *memo = PyTuple_GET_ITEM(cx, CX_LOOKUPS);
    PyObject *hit = PyDict_GetItemWithError(memo, key);
    if (hit) {
        Py_INCREF(hit);
        return hit;
    }
    if (PyErr_Occurred())
        return NULL;
    PyObject *ids = PyDict_GetItemWithError(PyTuple_GET_ITEM(cx, CX_NAME_INDEX), key);
    if (!ids && PyErr_Occurred())
        return NULL;
    int common = 0;
    int has_ids = ids ? PyObject_IsTrue(ids) : 0;
    if (has_ids < 0)
        return NULL;
    if (!has_ids) {
        common = PySet_Contains(PyTuple_GET_ITEM(cx, CX_COMMON_WORDS), key);
        if (common < 0)
            return NULL;
        if (!common)
            return call1(PyTuple_GET_ITEM(cx, CX_RESOLVE_KEY), key);   /* a fuzzy look-up */
    }
    PyObject *empty = ids ? NULL : PyTuple_New(0);
    if (!ids && !empty)
        return NULL;
    hit = PyTuple_Pack(2, ids ? ids : empty, Py_False);
    Py_XDECREF(empty);
    if (hit && PyDict_GET_SIZE(memo) < PyLong_AsSsize_t(PyTuple_GET_ITEM(cx, CX_LOOKUPS_MAX))
        && PyDict_SetItem(memo, key, hit) < 0)
        Py_CLEAR(hit);
    return hit;
}

/* geoparse._piece: the place name ``surface`` (key ``key``) at ``offset`` in a token, or Py_None. */
static PyObject *
piece_of(PyObject *cx, const Columns *c, Py_ssize_t offset, PyObject *surface, PyObject *key)
{
    Py_ssize_t key_len = PyUnicode_GET_LENGTH(key);
    if (key_len < 3)
        Py_RETURN_NONE;
    int never = PySet_Contains(PyTuple_GET_ITEM(cx, CX_NEVER_PLACES), key);
    if (never < 0)
        return NULL;
    if (never)
        Py_RETURN_NONE;
    PyObject *hit = resolve_key(cx, key);
    if (!hit)
        return NULL;
    if (!PyTuple_Check(hit) || PyTuple_GET_SIZE(hit) != 2 || !PyTuple_Check(PyTuple_GET_ITEM(hit, 0))) {
        Py_DECREF(hit);
        PyErr_SetString(PyExc_TypeError, "resolve_key_ids() must return (tuple, bool)");
        return NULL;
    }
    PyObject *rows = PyTuple_GET_ITEM(hit, 0), *fuzzy = PyTuple_GET_ITEM(hit, 1);
    int is_fuzzy = PyObject_IsTrue(fuzzy);
    Py_ssize_t n = PyTuple_GET_SIZE(rows);
    if (is_fuzzy < 0 || !n || (is_fuzzy && str_isupper(surface))) {
        Py_DECREF(hit);
        if (is_fuzzy < 0)
            return NULL;
        Py_RETURN_NONE;
    }
    long some = 0, every = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t row;
        if (ssize_of(PyTuple_GET_ITEM(rows, i), &row) < 0 || row < 0 || row >= c->n) {
            Py_DECREF(hit);
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_IndexError, "reading outside the gazetteer");
            return NULL;
        }
        some |= c->flags[row];
        every &= c->flags[row];
    }
    int word_like = PySet_Contains(PyTuple_GET_ITEM(cx, CX_WORD_LIKE), key);
    int common = word_like < 0 ? -1 : PySet_Contains(PyTuple_GET_ITEM(cx, CX_COMMON_WORDS), key);
    if (common < 0) {
        Py_DECREF(hit);
        return NULL;
    }
    long bits = (every & (BIT_ALL_COUNTRIES | BIT_ALL_SMALL)) | (some & (BIT_HAS_RIVER | BIT_HAS_OTHER_KINDS | BIT_BIG))
                | (word_like ? BIT_WORD_LIKE : 0);
    double quality = 0.98;   /* geoparse._quality */
    if (is_fuzzy)
        quality *= 0.8;
    if (common)
        quality *= 0.75;
    PyObject *values[14];
    values[0] = PyLong_FromSsize_t(offset);
    values[1] = surface;
    values[2] = key;
    values[3] = rows;
    values[4] = is_fuzzy ? Py_True : Py_False;
    values[5] = (bits & BIT_ALL_COUNTRIES) ? Py_True : Py_False;
    values[6] = (bits & BIT_HAS_RIVER) ? Py_True : Py_False;
    values[7] = (bits & BIT_HAS_OTHER_KINDS) ? Py_True : Py_False;
    values[8] = (bits & BIT_BIG) ? Py_True : Py_False;
    values[9] = (bits & BIT_WORD_LIKE) ? Py_True : Py_False;
    values[10] = (bits & BIT_ALL_SMALL) ? Py_True : Py_False;
    values[11] = PyFloat_FromDouble(quality);
    values[12] = PyLong_FromLong(bits);
    values[13] = Py_None;
    PyObject *piece = NULL;
    if (values[0] && values[11] && values[12])
        piece = untracked(new_slotted(PyTuple_GET_ITEM(cx, CX_PIECE), PyTuple_GET_ITEM(cx, CX_PIECE_SETTERS),
                                      values));
    Py_XDECREF(values[0]);
    Py_XDECREF(values[11]);
    Py_XDECREF(values[12]);
    Py_DECREF(hit);
    return piece;
}

/* ``word`` without a possessive ending (geoparse._POSSESSIVE: 's, s', ' with ’ or ʼ too): a new reference. */
static PyObject *
strip_possessive(PyObject *word)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(word), cut = 0;
    if (n >= 2) {
        Py_UCS4 a = PyUnicode_READ_CHAR(word, n - 2), b = PyUnicode_READ_CHAR(word, n - 1);
        if ((is_apostrophe(a) && b == 's') || (a == 's' && is_apostrophe(b)))
            cut = 2;
    }
    if (!cut && n >= 1 && is_apostrophe(PyUnicode_READ_CHAR(word, n - 1)))
        cut = 1;
    if (!cut) {
        Py_INCREF(word);
        return word;
    }
    return PyUnicode_Substring(word, 0, n - cut);
}

/* geoparse._pieces: (the token's key, the place names in it). */
static PyObject *
pieces_of(PyObject *cx, const Columns *c, PyObject *word)
{
    PyObject *surface = strip_possessive(word);
    PyObject *key = surface ? normalize(cx, surface) : NULL;
    PyObject *pieces = PyList_New(0), *result = NULL;
    if (!key || !pieces)
        goto done;
    Py_ssize_t length = PyUnicode_GET_LENGTH(surface);
    Py_ssize_t dash = PyUnicode_FindChar(surface, '-', 0, length, 1);
    if (dash == -2)
        goto done;
    int whole = dash < 0;
    if (!whole) {
        whole = PyDict_Contains(PyTuple_GET_ITEM(cx, CX_NAME_INDEX), key);
        if (whole < 0)
            goto done;
    }
    if (whole) {
        PyObject *piece = piece_of(cx, c, 0, surface, key);
        if (!piece || (piece != Py_None && PyList_Append(pieces, piece) < 0)) {
            Py_XDECREF(piece);
            goto done;
        }
        Py_DECREF(piece);
    }
    else {
        /* a compound: Moscow-backed, pro-Moscow, Izyum-Kupiansk */
        Py_ssize_t offset = 0;
        while (offset <= length) {
            Py_ssize_t stop = PyUnicode_FindChar(surface, '-', offset, length, 1);
            if (stop == -2)
                goto done;
            if (stop < 0)
                stop = length;
            if (stop > offset && Py_UNICODE_ISUPPER(PyUnicode_READ_CHAR(surface, offset))) {
                PyObject *part = PyUnicode_Substring(surface, offset, stop);
                PyObject *part_key = part ? normalize(cx, part) : NULL;
                PyObject *piece = part_key ? piece_of(cx, c, offset, part, part_key) : NULL;
                Py_XDECREF(part);
                Py_XDECREF(part_key);
                if (!piece || (piece != Py_None && PyList_Append(pieces, piece) < 0)) {
                    Py_XDECREF(piece);
                    goto done;
                }
                Py_DECREF(piece);
            }
            offset = stop + 1;
        }
    }
    PyObject *as_tuple = PyList_AsTuple(pieces);
    if (as_tuple) {
        result = untracked(PyTuple_Pack(2, key, untracked(as_tuple)));
        Py_DECREF(as_tuple);
    }
done:
    Py_XDECREF(surface);
    Py_XDECREF(key);
    Py_XDECREF(pieces);
    return result;
}

/* _Recognizer.learn for the words ``unknown`` (a set) in the recognizer's own memo; −1 on error. */
static int
learn_words(PyObject *cx, const Columns *c, PyObject *unknown)
{
    PyObject *known = PyTuple_GET_ITEM(cx, CX_KNOWN), *names = PyTuple_GET_ITEM(cx, CX_NAMES);
    PyObject *prefixes = PyTuple_GET_ITEM(cx, CX_PREFIXES);
    Py_ssize_t pos = 0;
    Py_hash_t hash;
    PyObject *word;
    while (_PySet_NextEntry(unknown, &pos, &word, &hash)) {
        PyObject *info = pieces_of(cx, c, word);
        if (!info)
            return -1;
        int is_name = PyTuple_GET_SIZE(PyTuple_GET_ITEM(info, 1)) > 0;
        if (!is_name)
            is_name = PySet_Contains(prefixes, PyTuple_GET_ITEM(info, 0));
        int bad = is_name < 0 || PyDict_SetItem(known, word, info) < 0 || (is_name && PySet_Add(names, word) < 0);
        Py_DECREF(info);
        if (bad)
            return -1;
    }
    return 0;
}

/* _Recognizer.multi_word: the place name a multi-word surface is, or Py_None (memoised). */
static PyObject *
multi_word(PyObject *cx, const Columns *c, PyObject *surface)
{
    PyObject *memo = PyTuple_GET_ITEM(cx, CX_MULTI);
    PyObject *piece = PyDict_GetItemWithError(memo, surface);
    if (piece) {
        Py_INCREF(piece);
        return piece;
    }
    if (PyErr_Occurred())
        return NULL;
    PyObject *key = normalize(cx, surface);
    if (!key)
        return NULL;
    piece = piece_of(cx, c, 0, surface, key);
    Py_DECREF(key);
    Py_ssize_t limit = PyLong_AsSsize_t(PyTuple_GET_ITEM(cx, CX_MEMO_LIMIT));
    if (piece && PyDict_GET_SIZE(memo) < limit && PyDict_SetItem(memo, surface, piece) < 0)
        Py_CLEAR(piece);
    return piece;
}

static PyObject *first_ranking_of(Columns *c, PyObject *rows, double quality);

/* The readings of a name read without a kind hint (geoparse._piece_options with None): memoised on the piece and
 * per (key, None, quality). A name with readings of other kinds than settlements goes through Python's kind
 * filter. */
static PyObject *
plain_options(PyObject *cx, Columns *c, PyObject *piece, long bits)
{
    PyObject *plain = PyObject_GetAttr(piece, S_plain);
    if (!plain || plain != Py_None)
        return plain;
    Py_DECREF(plain);
    if (bits & BIT_HAS_OTHER_KINDS) {
        PyObject *call_args[2] = {piece, Py_None};
        return PyObject_Vectorcall(PyTuple_GET_ITEM(cx, CX_OPTIONS_FOR), call_args, 2, NULL);
    }
    PyObject *key = PyObject_GetAttr(piece, S_key), *quality = key ? PyObject_GetAttr(piece, S_quality) : NULL;
    PyObject *rows = quality ? PyObject_GetAttr(piece, S_rows) : NULL;
    PyObject *memo_key = rows ? PyTuple_Pack(3, key, Py_None, quality) : NULL;
    PyObject *memo = PyTuple_GET_ITEM(cx, CX_OPTIONS_MEMO), *options = NULL;
    if (!memo_key)
        goto done;
    options = PyDict_GetItemWithError(memo, memo_key);
    if (options)
        Py_INCREF(options);
    else if (!PyErr_Occurred()) {
        double q = PyFloat_AsDouble(quality);
        PyObject *ranked = NULL;
        if (q == -1.0 && PyErr_Occurred())
            goto done;
        if (PyTuple_GET_SIZE(rows) == 1) {
            PyObject *confidence = untracked(PyTuple_Pack(1, quality));
            ranked = confidence ? PyTuple_Pack(2, rows, confidence) : NULL;
            Py_XDECREF(confidence);
        }
        else
            ranked = first_ranking_of(c, rows, q);
        if (!ranked)
            goto done;
        /* _Options' slots: rows, quality, gids, first_rows, first_confidence, tail */
        PyObject *values[6] = {rows, quality, Py_None, PyTuple_GET_ITEM(ranked, 0), PyTuple_GET_ITEM(ranked, 1),
                               Py_None};
        options = untracked(new_slotted(PyTuple_GET_ITEM(cx, CX_OPTIONS), PyTuple_GET_ITEM(cx, CX_OPTIONS_SETTERS),
                                        values));
        Py_DECREF(ranked);
        Py_ssize_t limit = PyLong_AsSsize_t(PyTuple_GET_ITEM(cx, CX_OPTIONS_LIMIT));
        if (options && PyDict_GET_SIZE(memo) < limit && PyDict_SetItem(memo, memo_key, options) < 0)
            Py_CLEAR(options);
    }
    if (options && PyObject_SetAttr(piece, S_plain, options) < 0)
        Py_CLEAR(options);
done:
    Py_XDECREF(key);
    Py_XDECREF(quality);
    Py_XDECREF(rows);
    Py_XDECREF(memo_key);
    return options;
}

/* geoparse._prior_tail: (min_score, place or None, kind, score, candidates) of a name's prior-only ranking. */
static PyObject *
prior_tail(PyObject *places, PyObject *first_rows, PyObject *first_confs, PyObject *min_score)
{
    Py_ssize_t size = PyTuple_GET_SIZE(first_rows);
    PyObject *candidates = PyTuple_New(size), *result = NULL;
    if (!candidates)
        return NULL;
    for (Py_ssize_t r = 0; r < size; r++) {
        Py_ssize_t row;
        if (ssize_of(PyTuple_GET_ITEM(first_rows, r), &row) < 0)
            goto done;
        PyObject *place = PyList_GetItem(places, row);
        PyObject *pair = place ? untracked(PyTuple_Pack(2, place, PyTuple_GET_ITEM(first_confs, r))) : NULL;
        if (!pair)
            goto done;
        PyTuple_SET_ITEM(candidates, r, pair);
    }
    PyObject *best = PyTuple_GET_ITEM(PyTuple_GET_ITEM(candidates, 0), 0);
    PyObject *confidence = PyTuple_GET_ITEM(first_confs, 0);
    int enough = PyObject_RichCompareBool(confidence, min_score, Py_GE);
    PyObject *kind = enough < 0 ? NULL : PyObject_GetAttr(best, S_kind);
    double value = PyFloat_AsDouble(confidence);
    PyObject *score = kind && !(value == -1.0 && PyErr_Occurred()) ? round3(value) : NULL;
    if (score)
        result = untracked(PyTuple_Pack(5, min_score, enough ? best : Py_None, kind, score, untracked(candidates)));
    Py_XDECREF(kind);
    Py_XDECREF(score);
done:
    Py_DECREF(candidates);
    return result;
}

/* Growable array of spans. */
typedef struct {
    Span *items;
    Py_ssize_t n, cap;
} Spans;

static int
spans_push(Spans *s, const Span *span)
{
    if (s->n == s->cap) {
        Py_ssize_t cap = s->cap ? 2 * s->cap : 64;
        Span *grown = realloc(s->items, sizeof(Span) * cap);
        if (!grown) {
            PyErr_NoMemory();
            return -1;
        }
        s->items = grown;
        s->cap = cap;
    }
    s->items[s->n++] = *span;
    return 0;
}

/* A mapping look-up that works for a dict and for the ChainMap a full memo gives: a new reference, NULL with
 * KeyError cleared when missing (and no error), NULL with an error set otherwise. */
static PyObject *
lookup(PyObject *mapping, PyObject *key)
{
    if (PyDict_CheckExact(mapping)) {
        PyObject *value = PyDict_GetItemWithError(mapping, key);
        Py_XINCREF(value);
        return value;
    }
    PyObject *value = PyObject_GetItem(mapping, key);
    if (!value && PyErr_ExceptionMatches(PyExc_KeyError))
        PyErr_Clear();
    return value;
}

static void
spans_free(Spans *s)
{
    for (Py_ssize_t i = 0; i < s->n; i++)
        Py_DECREF(s->items[i].piece);
    free(s->items);
    memset(s, 0, sizeof(Spans));
}

/* geoparse._candidate_spans: the names the words around allow, in order. */
static int
candidate_spans(PyObject *cx, Columns *c, PyObject *text, const Text *t, Spans *out)
{
    Py_ssize_t n = t->len, count = 0, cap = 256;
    Py_ssize_t *starts = malloc(sizeof(Py_ssize_t) * cap), *ends = malloc(sizeof(Py_ssize_t) * cap);
    PyObject **words = NULL;
    PyObject *known = PyTuple_GET_ITEM(cx, CX_KNOWN), *names = PyTuple_GET_ITEM(cx, CX_NAMES);
    PyObject *learnt = NULL, *unknown = NULL;
    int result = -1;
    if (!starts || !ends) {
        PyErr_NoMemory();
        goto done;
    }
    /* 1. tokens (geoparse._tokens): always _TOKEN_ANY's reading, which gives _TOKEN_CAPITAL's tokens when the text
     * holds no "pro-", "anti-" or "ex-" (a token opening with a lowercase letter is one of those prefixes) */
    const int prefixes = 1;
    for (Py_ssize_t i = 0; i < n;) {
        Py_UCS4 c = CH(t, i);
        if (!(is_upper(c) || (prefixes && (c == 'p' || c == 'a' || c == 'e')))) {
            i++;
            continue;
        }
        Py_ssize_t end = token_at(t, i, prefixes);
        if (end < 0) {
            i++;
            continue;
        }
        if (count == cap) {
            cap *= 2;
            Py_ssize_t *s2 = realloc(starts, sizeof(Py_ssize_t) * cap);
            if (s2)
                starts = s2;
            Py_ssize_t *e2 = s2 ? realloc(ends, sizeof(Py_ssize_t) * cap) : NULL;
            if (!e2) {
                PyErr_NoMemory();
                goto done;
            }
            ends = e2;
        }
        starts[count] = i;
        ends[count] = end;
        count++;
        i = end;
    }
    /* 2. the words, and what the recognizer knows of them (new words are learnt first) */
    words = calloc(count + 1, sizeof(PyObject *));
    unknown = PySet_New(NULL);
    if (!words || !unknown) {
        if (!words)
            PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < count; k++) {
        words[k] = PyUnicode_Substring(text, starts[k], ends[k]);
        if (!words[k])
            goto done;
        int has = PyDict_Contains(known, words[k]);
        if (has < 0 || (!has && PySet_Add(unknown, words[k]) < 0))
            goto done;
    }
    Py_ssize_t memo_limit = PyLong_AsSsize_t(PyTuple_GET_ITEM(cx, CX_MEMO_LIMIT));
    if (PySet_GET_SIZE(unknown) && PyDict_GET_SIZE(known) + PySet_GET_SIZE(unknown) <= memo_limit) {
        if (learn_words(cx, c, unknown) < 0)
            goto done;
    }
    else if (PySet_GET_SIZE(unknown)) {
        /* the memo is full: Python's learn keeps this text's new words for it alone */
        PyObject *as_list = PySequence_List(unknown);
        learnt = as_list ? call1(PyTuple_GET_ITEM(cx, CX_LEARN), as_list) : NULL;
        Py_XDECREF(as_list);
        if (!learnt)
            goto done;
        if (!PyTuple_Check(learnt) || PyTuple_GET_SIZE(learnt) != 2) {
            PyErr_SetString(PyExc_TypeError, "learn() must return (known, names)");
            goto done;
        }
        known = PyTuple_GET_ITEM(learnt, 0);
        names = PyTuple_GET_ITEM(learnt, 1);
    }
    /* 3. the names */
    PyObject *prefix_keys = PyTuple_GET_ITEM(cx, CX_PREFIXES), *name_index = PyTuple_GET_ITEM(cx, CX_NAME_INDEX);
    Py_ssize_t resume = 0;
    for (Py_ssize_t k = 0; k < count; k++) {
        if (k < resume)
            continue;
        int is_name = PySet_Contains(names, words[k]);
        if (is_name < 0)
            goto done;
        if (!is_name)
            continue;
        PyObject *info = lookup(known, words[k]);
        if (!info) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_KeyError, "a word the recognizer has not learnt");
            goto done;
        }
        PyObject *key = PyTuple_GET_ITEM(info, 0), *pieces = PyTuple_GET_ITEM(info, 1);
        Py_INCREF(pieces);
        Py_ssize_t start = starts[k], consumed = 1;
        int is_prefix = PySet_Contains(prefix_keys, key);
        if (is_prefix < 0) {
            Py_DECREF(info);
            Py_DECREF(pieces);
            goto done;
        }
        if (is_prefix) {
            /* the longest multi-word name first: "Ruska Lozova", "Staryi Saltiv" */
            PyObject *probe = key;
            Py_INCREF(probe);
            Py_ssize_t j = k, best = -1;
            int failed = 0;
            while (j + 1 < count && starts[j + 1] - ends[j] == 1
                   && (CH(t, ends[j]) == ' ' || CH(t, ends[j]) == 0xA0)) {
                j++;
                PyObject *next_info = lookup(known, words[j]);
                if (!next_info) {
                    if (!PyErr_Occurred())
                        PyErr_SetString(PyExc_KeyError, "a word the recognizer has not learnt");
                    failed = 1;
                    break;
                }
                PyObject *longer = PyUnicode_FromFormat("%U %U", probe, PyTuple_GET_ITEM(next_info, 0));
                Py_DECREF(next_info);
                Py_DECREF(probe);
                probe = longer;
                if (!probe) {
                    failed = 1;
                    break;
                }
                int whole = PyDict_Contains(name_index, probe);
                int more = whole < 0 ? -1 : PySet_Contains(prefix_keys, probe);
                if (whole < 0 || more < 0) {
                    failed = 1;
                    break;
                }
                if (whole)
                    best = j;
                if (!more)
                    break;
            }
            Py_XDECREF(probe);
            if (!failed && best >= 0) {
                PyObject *surface = PyUnicode_Substring(text, start, ends[best]);
                PyObject *bare = surface ? strip_possessive(surface) : NULL;
                PyObject *piece = bare ? multi_word(cx, c, bare) : NULL;
                Py_XDECREF(surface);
                Py_XDECREF(bare);
                if (!piece)
                    failed = 1;
                else if (piece != Py_None) {
                    Py_DECREF(pieces);
                    pieces = untracked(PyTuple_Pack(1, piece));
                    if (!pieces)
                        failed = 1;
                    consumed = best - k + 1;
                }
                Py_XDECREF(piece);
            }
            if (failed) {
                Py_DECREF(info);
                Py_XDECREF(pieces);
                goto done;
            }
        }
        Py_ssize_t size = PyTuple_GET_SIZE(pieces);
        for (Py_ssize_t p = 0; p < size; p++) {
            PyObject *piece = PyTuple_GET_ITEM(pieces, p);
            PyObject *offset_obj = PyObject_GetAttr(piece, S_offset);
            Py_ssize_t offset;
            if (!offset_obj || ssize_of(offset_obj, &offset) < 0) {
                Py_XDECREF(offset_obj);
                Py_DECREF(info);
                Py_DECREF(pieces);
                goto done;
            }
            Py_DECREF(offset_obj);
            Span span;
            int found = span_in_context(cx, text, t, piece, start + offset, &span);
            if (found > 0)
                Py_INCREF(piece);
            if (found < 0 || (found && spans_push(out, &span) < 0)) {
                if (found > 0)
                    Py_DECREF(piece);
                Py_DECREF(info);
                Py_DECREF(pieces);
                goto done;
            }
        }
        Py_DECREF(info);
        Py_DECREF(pieces);
        resume = k + consumed;
    }
    result = 0;
done:
    if (words) {
        for (Py_ssize_t k = 0; k < count; k++)
            Py_XDECREF(words[k]);
        free(words);
    }
    free(starts);
    free(ends);
    Py_XDECREF(learnt);
    Py_XDECREF(unknown);
    return result;
}

/* Reads an _Options' first reading and confidence and, for an ambiguous name, its readings and quality. */
static int
first_of(PyObject *opts, Py_ssize_t *row, double *conf, PyObject **first_rows, PyObject **first_confidence)
{
    *first_rows = PyObject_GetAttr(opts, S_first_rows);
    *first_confidence = *first_rows ? PyObject_GetAttr(opts, S_first_confidence) : NULL;
    if (!*first_confidence)
        return -1;
    if (!PyTuple_Check(*first_rows) || !PyTuple_Check(*first_confidence) || !PyTuple_GET_SIZE(*first_rows)
        || PyTuple_GET_SIZE(*first_rows) != PyTuple_GET_SIZE(*first_confidence)) {
        PyErr_SetString(PyExc_TypeError, "options' first_rows and first_confidence must be tuples of one size");
        return -1;
    }
    if (ssize_of(PyTuple_GET_ITEM(*first_rows, 0), row) < 0)
        return -1;
    *conf = PyFloat_AsDouble(PyTuple_GET_ITEM(*first_confidence, 0));
    return (*conf == -1.0 && PyErr_Occurred()) ? -1 : 0;
}

/* A Mention made as geoparse's Python code makes it: object.__new__ and its slots set directly. */
static PyObject *
new_mention(PyObject *cx, PyObject *values[7])
{
    PyTypeObject *type = (PyTypeObject *)PyTuple_GET_ITEM(cx, CX_MENTION);
    PyObject *setters = PyTuple_GET_ITEM(cx, CX_SETTERS);
    PyObject *mention = type->tp_alloc(type, 0);
    if (!mention)
        return NULL;
    for (int k = 0; k < 7; k++) {
        PyObject *descriptor = PyTuple_GET_ITEM(setters, k);
        if (Py_TYPE(descriptor)->tp_descr_set(descriptor, mention, values[k]) < 0) {
            Py_DECREF(mention);
            return NULL;
        }
    }
    return mention;
}

/* parse(text, context, min_score) → the article's mentions (geoparse.mentions_from_text). */
static PyObject *
parse(PyObject *self, PyObject *args)
{
    PyObject *text, *cx, *min_score;
    if (!PyArg_ParseTuple(args, "UO!O", &text, &PyTuple_Type, &cx, &min_score))
        return NULL;
    if (!parameters_set) {
        PyErr_SetString(PyExc_RuntimeError, "set_parameters() first");
        return NULL;
    }
    if (PyTuple_GET_SIZE(cx) != CX_SIZE) {
        PyErr_Format(PyExc_ValueError, "context: %zd items, expected %d", PyTuple_GET_SIZE(cx), CX_SIZE);
        return NULL;
    }
    /* what it reads as dicts, sets, a list and classes */
    static const int dicts[] = {CX_KNOWN, CX_NAME_INDEX, CX_SURNAMES, CX_MULTI, CX_OPTIONS_MEMO, CX_NORMALIZED,
                                CX_LOOKUPS};
    static const int sets[] = {CX_NAMES, CX_PREFIXES, CX_COMMON_WORDS, CX_NEVER_PLACES, CX_WORD_LIKE};
    static const int types[] = {CX_MENTION, CX_PIECE, CX_OPTIONS};
    int context_ok = PyList_Check(PyTuple_GET_ITEM(cx, CX_PLACES));
    for (size_t k = 0; k < sizeof(dicts) / sizeof(dicts[0]); k++)
        context_ok = context_ok && PyDict_Check(PyTuple_GET_ITEM(cx, dicts[k]));
    for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++)
        context_ok = context_ok && PyAnySet_Check(PyTuple_GET_ITEM(cx, sets[k]));
    for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
        context_ok = context_ok && PyType_Check(PyTuple_GET_ITEM(cx, types[k]));
    if (!context_ok) {
        PyErr_SetString(PyExc_TypeError, "context: a memo, set, list or class of the wrong type");
        return NULL;
    }
    /* the slots this code fills: Mention's 7, _Piece's 14, _Options' 6 */
    if (!PyTuple_Check(PyTuple_GET_ITEM(cx, CX_SETTERS)) || PyTuple_GET_SIZE(PyTuple_GET_ITEM(cx, CX_SETTERS)) != 7
        || !PyTuple_Check(PyTuple_GET_ITEM(cx, CX_PIECE_SETTERS))
        || PyTuple_GET_SIZE(PyTuple_GET_ITEM(cx, CX_PIECE_SETTERS)) != 14
        || !PyTuple_Check(PyTuple_GET_ITEM(cx, CX_OPTIONS_SETTERS))
        || PyTuple_GET_SIZE(PyTuple_GET_ITEM(cx, CX_OPTIONS_SETTERS)) != 6) {
        PyErr_SetString(PyExc_ValueError, "context: Mention, _Piece or _Options changed their slots");
        return NULL;
    }
    static const int setter_groups[] = {CX_SETTERS, CX_PIECE_SETTERS, CX_OPTIONS_SETTERS};
    for (size_t g = 0; g < 3; g++) {
        PyObject *setters = PyTuple_GET_ITEM(cx, setter_groups[g]);
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(setters); k++) {
            if (!Py_TYPE(PyTuple_GET_ITEM(setters, k))->tp_descr_set) {
                PyErr_SetString(PyExc_TypeError, "context: a slot setter that sets nothing");
                return NULL;
            }
        }
    }
    Columns *c = PyCapsule_GetPointer(PyTuple_GET_ITEM(cx, CX_COLUMNS), "mapapp._fastparse.Columns");
    if (!c)
        return NULL;
    double decided = PyFloat_AsDouble(PyTuple_GET_ITEM(cx, CX_DECIDED)), min_score_value;
    if ((decided == -1.0 && PyErr_Occurred()) || ((min_score_value = PyFloat_AsDouble(min_score)) == -1.0
                                                   && PyErr_Occurred()))
        return NULL;
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    Spans spans = {0};
    Article art = {0};
    Ranked ranked = {0};
    PyObject **options = NULL, **first_rows = NULL, **first_confs = NULL, *key_ids = NULL, *result = NULL;
    Py_ssize_t *todo_of = NULL, *ends = NULL;
    Py_ssize_t m = 0;

    if (candidate_spans(cx, c, text, &t, &spans) < 0)
        goto done;
    m = spans.n;
    result = PyList_New(0);
    if (!result || !m)
        goto done;
    options = calloc(m, sizeof(PyObject *));
    first_rows = calloc(m, sizeof(PyObject *));
    first_confs = calloc(m, sizeof(PyObject *));
    todo_of = malloc(sizeof(Py_ssize_t) * m);
    art.m = m;
    art.sentence = calloc(m, sizeof(Py_ssize_t));
    art.key = calloc(m, sizeof(Py_ssize_t));
    art.best_row = malloc(sizeof(Py_ssize_t) * m);
    art.best_conf = malloc(sizeof(double) * m);
    art.first_row = malloc(sizeof(Py_ssize_t) * m);
    art.first_conf = malloc(sizeof(double) * m);
    art.todo = malloc(sizeof(Py_ssize_t) * m);
    art.offset = malloc(sizeof(Py_ssize_t) * m);
    art.count = malloc(sizeof(Py_ssize_t) * m);
    art.quality = malloc(sizeof(double) * m);
    if (!options || !first_rows || !first_confs || !todo_of || !art.sentence || !art.key || !art.best_row
        || !art.best_conf || !art.first_row || !art.first_conf || !art.todo || !art.offset || !art.count
        || !art.quality) {
        PyErr_NoMemory();
        goto error;
    }
    /* the readings of each name (geoparse._piece_options), and which names need the article's evidence */
    Py_ssize_t t_count = 0, n_readings = 0;
    for (Py_ssize_t i = 0; i < m; i++) {
        Span *span = &spans.items[i];
        PyObject *opts = NULL;
        if (!span->hint) {
            opts = plain_options(cx, c, span->piece, span->bits);
            if (!opts)
                goto error;
        }
        else {
            PyObject *call_args[2] = {span->piece, span->hint ? span->hint : Py_None};
            opts = PyObject_Vectorcall(PyTuple_GET_ITEM(cx, CX_OPTIONS_FOR), call_args, 2, NULL);
            if (!opts)
                goto error;
        }
        options[i] = opts;
        if (first_of(opts, &art.first_row[i], &art.first_conf[i], &first_rows[i], &first_confs[i]) < 0)
            goto error;
        if (art.first_row[i] < 0 || art.first_row[i] >= c->n) {
            PyErr_SetString(PyExc_IndexError, "reading outside the gazetteer");
            goto error;
        }
        art.best_row[i] = art.first_row[i];
        art.best_conf[i] = art.first_conf[i];
        todo_of[i] = -1;
        if (art.first_conf[i] < decided) {
            PyObject *rows = PyObject_GetAttr(opts, S_rows);
            if (!rows || !PyTuple_Check(rows)) {
                Py_XDECREF(rows);
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_TypeError, "options' rows must be a tuple");
                goto error;
            }
            Py_ssize_t size = PyTuple_GET_SIZE(rows);
            Py_DECREF(rows);
            if (size > 1) {
                PyObject *quality = PyObject_GetAttr(opts, S_quality);
                double q = quality ? PyFloat_AsDouble(quality) : -1.0;
                Py_XDECREF(quality);
                if (q == -1.0 && PyErr_Occurred())
                    goto error;
                todo_of[i] = t_count;
                art.todo[t_count] = i;
                art.offset[t_count] = n_readings;
                art.count[t_count] = size;
                art.quality[t_count] = q;
                n_readings += size;
                t_count++;
            }
        }
    }
    art.t = t_count;
    if (t_count) {
        /* sentences (geoparse._sentence_starts and bisect), name keys, readings */
        Py_ssize_t n_ends = 0, next = 0;
        ends = sentence_ends(&t, &n_ends);
        if (!ends)
            goto error;
        key_ids = PyDict_New();
        art.n = n_readings;
        art.rows = malloc(sizeof(Py_ssize_t) * (n_readings + 1));
        ranked.has = calloc(t_count, 1);
        ranked.size = calloc(t_count, sizeof(Py_ssize_t));
        ranked.rows = malloc(sizeof(Py_ssize_t) * t_count * MAX_CANDIDATES);
        ranked.conf = malloc(sizeof(double) * t_count * MAX_CANDIDATES);
        if (!key_ids || !art.rows || !ranked.has || !ranked.size || !ranked.rows || !ranked.conf) {
            if (!PyErr_Occurred())
                PyErr_NoMemory();
            goto error;
        }
        Py_ssize_t n_keys = 0;
        for (Py_ssize_t i = 0; i < m; i++) {
            Py_ssize_t start = spans.items[i].start;
            while (next < n_ends && ends[next] <= start)
                next++;
            art.sentence[i] = next;  /* starts ≤ start: 0 and the ends up to it */
            PyObject *key = PyObject_GetAttr(spans.items[i].piece, S_key);
            if (!key)
                goto error;
            PyObject *id = PyDict_GetItemWithError(key_ids, key);
            if (id) {
                art.key[i] = PyLong_AsSsize_t(id);
            }
            else if (PyErr_Occurred()) {
                Py_DECREF(key);
                goto error;
            }
            else {
                PyObject *new_id = PyLong_FromSsize_t(n_keys);
                int bad = !new_id || PyDict_SetItem(key_ids, key, new_id) < 0;
                Py_XDECREF(new_id);
                if (bad) {
                    Py_DECREF(key);
                    goto error;
                }
                art.key[i] = n_keys++;
            }
            Py_DECREF(key);
        }
        for (Py_ssize_t j = 0; j < t_count; j++) {
            PyObject *rows = PyObject_GetAttr(options[art.todo[j]], S_rows);
            if (!rows)
                goto error;
            for (Py_ssize_t r = 0; r < art.count[j]; r++) {
                Py_ssize_t row;
                if (ssize_of(PyTuple_GET_ITEM(rows, r), &row) < 0 || row < 0 || row >= c->n) {
                    Py_DECREF(rows);
                    if (!PyErr_Occurred())
                        PyErr_SetString(PyExc_IndexError, "reading outside the gazetteer");
                    goto error;
                }
                art.rows[art.offset[j] + r] = row;
            }
            Py_DECREF(rows);
        }
        if (resolve_article(c, &art, n_keys, &ranked) < 0)
            goto error;
    }
    /* the mentions */
    PyObject *places = PyTuple_GET_ITEM(cx, CX_PLACES);
    for (Py_ssize_t i = 0; i < m; i++) {
        Span *span = &spans.items[i];
        Py_ssize_t j = todo_of[i];
        int found = j >= 0 && ranked.has[j];
        PyObject *values[7] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL};
        PyObject *tail = NULL;
        int bad = 0;
        values[0] = PyObject_GetAttr(span->piece, S_surface);
        values[1] = PyLong_FromSsize_t(span->start);
        values[2] = PyLong_FromSsize_t(span->end);
        bad = !values[0] || !values[1] || !values[2];
        if (!bad && !found && !span->cue) {
            /* the prior-only answer, made once per reading set (geoparse._prior_tail) */
            tail = PyObject_GetAttr(options[i], S_tail);
            if (!tail)
                bad = 1;
            else {
                int stale = tail == Py_None || !PyTuple_Check(tail) || PyTuple_GET_SIZE(tail) != 5;
                if (!stale) {
                    stale = PyObject_RichCompareBool(PyTuple_GET_ITEM(tail, 0), min_score, Py_NE);
                    bad = stale < 0;
                }
                if (!bad && stale) {
                    Py_DECREF(tail);
                    tail = prior_tail(places, first_rows[i], first_confs[i], min_score);
                    bad = !tail || PyObject_SetAttr(options[i], S_tail, tail) < 0;
                }
                if (!bad) {
                    for (int k = 1; k < 5; k++) {
                        values[2 + k] = PyTuple_GET_ITEM(tail, k);
                        Py_INCREF(values[2 + k]);
                    }
                }
            }
        }
        else if (!bad) {
            Py_ssize_t size = found ? ranked.size[j] : PyTuple_GET_SIZE(first_rows[i]);
            PyObject *candidates = untracked(PyTuple_New(size));
            bad = !candidates;
            for (Py_ssize_t r = 0; r < size && !bad; r++) {
                PyObject *place, *conf;
                if (found) {
                    place = PyList_GetItem(places, ranked.rows[j * MAX_CANDIDATES + r]);
                    conf = PyFloat_FromDouble(ranked.conf[j * MAX_CANDIDATES + r]);
                }
                else {
                    Py_ssize_t row;
                    place = ssize_of(PyTuple_GET_ITEM(first_rows[i], r), &row) < 0 ? NULL
                                                                                     : PyList_GetItem(places, row);
                    conf = PyTuple_GET_ITEM(first_confs[i], r);
                    Py_INCREF(conf);
                }
                PyObject *pair = (place && conf) ? untracked(PyTuple_Pack(2, place, conf)) : NULL;
                Py_XDECREF(conf);
                if (!pair)
                    bad = 1;
                else
                    PyTuple_SET_ITEM(candidates, r, pair);
            }
            if (!bad) {
                /* slots in Mention's order: surface, start, end, place, kind, score, candidates */
                PyObject *best = PyTuple_GET_ITEM(PyTuple_GET_ITEM(candidates, 0), 0);
                double confidence = PyFloat_AsDouble(PyTuple_GET_ITEM(PyTuple_GET_ITEM(candidates, 0), 1));
                PyObject *kind = PyObject_GetAttr(best, S_kind);
                bad = !kind;
                if (!bad && span->cue) {
                    int settlement = PyObject_RichCompareBool(kind, S_settlement, Py_EQ);
                    bad = settlement < 0;
                    if (settlement == 0)
                        confidence *= 0.7;
                }
                values[5] = bad ? NULL : round3(confidence);   /* round(confidence, 3) */
                bad = !values[5];
                values[3] = confidence >= min_score_value ? best : Py_None;
                Py_INCREF(values[3]);
                values[4] = kind;
                values[6] = candidates;
                candidates = NULL;
            }
            Py_XDECREF(candidates);
        }
        PyObject *mention = bad ? NULL : new_mention(cx, values);
        for (int k = 0; k < 7; k++)
            Py_XDECREF(values[k]);
        Py_XDECREF(tail);
        if (!mention || PyList_Append(result, mention) < 0) {
            Py_XDECREF(mention);
            goto error;
        }
        Py_DECREF(mention);
    }
    goto done;
error:
    Py_CLEAR(result);
done:
    if (options) {
        for (Py_ssize_t i = 0; i < m; i++) {
            Py_XDECREF(options[i]);
            Py_XDECREF(first_rows[i]);
            Py_XDECREF(first_confs[i]);
        }
    }
    free(options);
    free(first_rows);
    free(first_confs);
    free(todo_of);
    free(ends);
    Py_XDECREF(key_ids);
    article_free(&art);
    free(ranked.has); free(ranked.size); free(ranked.rows); free(ranked.conf);
    spans_free(&spans);
    return result;
}

/* first_ranking(columns, rows, quality) → (first_rows, first_confidence): the prior-only ranking of a name's
 * readings (geoparse._Options): a softmax of their priors, the best MAX_CANDIDATES first, ties in the given order. */
static PyObject *
first_ranking(PyObject *self, PyObject *args)
{
    PyObject *capsule, *rows;
    double quality;
    if (!PyArg_ParseTuple(args, "OO!d", &capsule, &PyTuple_Type, &rows, &quality))
        return NULL;
    Columns *c = PyCapsule_GetPointer(capsule, "mapapp._fastparse.Columns");
    if (!c)
        return NULL;
    return first_ranking_of(c, rows, quality);
}

static PyObject *
first_ranking_of(Columns *c, PyObject *rows, double quality)
{
    Py_ssize_t n = PyTuple_GET_SIZE(rows);
    if (n < 1) {
        PyErr_SetString(PyExc_ValueError, "no readings");
        return NULL;
    }
    Py_ssize_t *row = malloc(sizeof(Py_ssize_t) * n);
    double *score = malloc(sizeof(double) * n), *weight = malloc(sizeof(double) * n);
    Py_ssize_t order[256], keep = n < MAX_CANDIDATES ? n : MAX_CANDIDATES, kept = 0;
    PyObject *result = NULL, *first_rows = NULL, *first_confidence = NULL;
    if (!row || !score || !weight || keep > 256) {
        PyErr_NoMemory();
        goto done;
    }
    double top = -INFINITY;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (ssize_of(PyTuple_GET_ITEM(rows, i), &row[i]) < 0)
            goto done;
        if (row[i] < 0 || row[i] >= c->n) {
            PyErr_SetString(PyExc_IndexError, "reading outside the gazetteer");
            goto done;
        }
        score[i] = c->prior[row[i]];
        if (i == 0 || score[i] > top)
            top = score[i];
    }
    double total = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        weight[i] = exp((score[i] - top) / TEMPERATURE);
        total = i ? total + weight[i] : weight[i];   /* in order, as reduce(add, weights) */
        /* the best ``keep``, best score first, then in the given order */
        if (kept == keep && !(score[i] > score[order[kept - 1]]))
            continue;
        Py_ssize_t at = kept < keep ? kept++ : keep - 1;
        while (at > 0 && score[i] > score[order[at - 1]]) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = i;
    }
    first_rows = PyTuple_New(keep);
    first_confidence = PyTuple_New(keep);
    if (!first_rows || !first_confidence)
        goto done;
    for (Py_ssize_t k = 0; k < keep; k++) {
        PyObject *r = PyTuple_GET_ITEM(rows, order[k]);
        Py_INCREF(r);
        PyTuple_SET_ITEM(first_rows, k, r);
        PyObject *conf = PyFloat_FromDouble(weight[order[k]] / total * quality);
        if (!conf)
            goto done;
        PyTuple_SET_ITEM(first_confidence, k, conf);
    }
    result = PyTuple_Pack(2, untracked(first_rows), untracked(first_confidence));
done:
    Py_XDECREF(first_rows);
    Py_XDECREF(first_confidence);
    free(row);
    free(score);
    free(weight);
    return result;
}

/* set_upper(_UPPER): the capitals that open a name. */
static PyObject *
set_upper(PyObject *self, PyObject *arg)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "a str");
        return NULL;
    }
    memset(upper_table, 0, sizeof(upper_table));
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(arg); i++) {
        Py_UCS4 ch = PyUnicode_READ_CHAR(arg, i);
        if (ch >= 0x530) {
            PyErr_SetString(PyExc_ValueError, "capitals below U+0530 only");
            return NULL;
        }
        upper_table[ch] = 1;
    }
    Py_RETURN_NONE;
}

/* set_suffixes((unit_before, name_part_before, title_ends)): the words window_endswith looks for before a name
 * (geoparse._UNIT_BEFORE, _NAME_PART_BEFORE, _TITLE_ENDS), each a tuple of str of 1 to 32 characters. */
static PyObject *
set_suffixes(PyObject *self, PyObject *arg)
{
    if (!PyTuple_Check(arg) || PyTuple_GET_SIZE(arg) != SUFFIX_GROUPS) {
        PyErr_SetString(PyExc_TypeError, "three tuples of str");
        return NULL;
    }
    for (int g = 0; g < SUFFIX_GROUPS; g++) {
        PyObject *group = PyTuple_GET_ITEM(arg, g);
        if (!PyTuple_Check(group)) {
            PyErr_SetString(PyExc_TypeError, "three tuples of str");
            return NULL;
        }
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(group); k++) {
            PyObject *suffix = PyTuple_GET_ITEM(group, k);
            if (!PyUnicode_Check(suffix) || PyUnicode_GET_LENGTH(suffix) < 1
                || PyUnicode_GET_LENGTH(suffix) > SUFFIX_MAX) {
                PyErr_SetString(PyExc_ValueError, "suffixes must be str of 1 to 32 characters");
                return NULL;
            }
        }
    }
    for (int g = 0; g < SUFFIX_GROUPS; g++) {
        for (int slot = 0; slot < 129; slot++) {
            free(suffix_buckets[g][slot].items);
            suffix_buckets[g][slot].items = NULL;
            suffix_buckets[g][slot].n = 0;
        }
        PyObject *group = PyTuple_GET_ITEM(arg, g);
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(group); k++) {
            PyObject *suffix = PyTuple_GET_ITEM(group, k);
            Py_ssize_t len = PyUnicode_GET_LENGTH(suffix);
            Py_UCS4 last = PyUnicode_READ_CHAR(suffix, len - 1);
            SuffixBucket *bucket = &suffix_buckets[g][last < 128 ? last : 128];
            Suffix *grown = realloc(bucket->items, sizeof(Suffix) * (bucket->n + 1));
            if (!grown)
                return PyErr_NoMemory();
            bucket->items = grown;
            Suffix *item = &bucket->items[bucket->n++];
            item->len = len;
            for (Py_ssize_t i = 0; i < len; i++)
                item->chars[i] = PyUnicode_READ_CHAR(suffix, i);
        }
    }
    Py_RETURN_NONE;
}

/* normalize_name(context, text): the compiled normalize_name (for tests: the same key as gazetteer's). */
static PyObject *
normalize_name(PyObject *self, PyObject *args)
{
    PyObject *cx, *text;
    if (!PyArg_ParseTuple(args, "O!U", &PyTuple_Type, &cx, &text))
        return NULL;
    if (PyTuple_GET_SIZE(cx) != CX_SIZE) {
        PyErr_SetString(PyExc_ValueError, "not a context");
        return NULL;
    }
    return normalize(cx, text);
}

static PyMethodDef methods[] = {
    {"normalize_name", normalize_name, METH_VARARGS, "gazetteer.normalize_name, compiled (for tests)."},
    {"set_suffixes", set_suffixes, METH_O, "Set the suffixes looked for before a name (for a quick test)."},
    {"set_parameters", set_parameters, METH_VARARGS, "Set the resolution parameters (mapapp.geoparse's constants)."},
    {"first_ranking", first_ranking, METH_VARARGS, "The prior-only ranking of a name's readings (geoparse._Options)."},
    {"set_upper", set_upper, METH_O, "Set the capitals that open a name (geoparse._UPPER)."},
    {"columns", make_columns, METH_VARARGS, "The gazetteer's places as C columns (a capsule)."},
    {"parse", parse, METH_VARARGS, "An article's mentions (geoparse.mentions_from_text)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_fastparse", "Compiled geoparsing for mapapp.geoparse.", -1, methods,
};

PyMODINIT_FUNC
PyInit__fastparse(void)
{
    struct { PyObject **target; const char *text; } strings[] = {
        {&S_offset, "offset"}, {&S_surface, "surface"}, {&S_key, "key"}, {&S_bits, "bits"}, {&S_plain, "plain"},
        {&S_rows, "rows"}, {&S_quality, "quality"}, {&S_first_rows, "first_rows"},
        {&S_first_confidence, "first_confidence"}, {&S_tail, "tail"}, {&S_kind, "kind"},
        {&S_settlement, "settlement"}, {&S_region, "region"}, {&S_raion, "raion"}, {&S_river, "river"},
        {&S_round, "__round__"},
    };
    for (size_t k = 0; k < sizeof(strings) / sizeof(strings[0]); k++) {
        if (!(*strings[k].target = PyUnicode_InternFromString(strings[k].text)))
            return NULL;
    }
    if (!(THREE = PyLong_FromLong(3)))
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddStringConstant(m, "SOURCE_HASH", SOURCE_HASH) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
