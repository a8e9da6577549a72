/*
 * The q-net forward pass (DESIGN.md §4) for one query over a block of documents, on the CPU.
 *
 * Why it exists: onnxruntime receives a query's weights as graph inputs, so its GEMM re-packs all of them
 * (hypencoder.6_layer: 3.5M floats) on every run. Exhaustive search amortises that over 1024-document
 * chunks; graph search scores ~25–400 documents per run, where the packing costs as much as the arithmetic.
 * This kernel reads the weights where they lie (row-major [d_in][d_out], as the hypernetwork emits them):
 * each 32-column strip of W (16 on AVX2), in blocks of 256 rows of k, stays in L1 while every row block of
 * ≤ 12 documents (≤ 6 on AVX2) passes over it.
 *
 * Layout and semantics follow main/engine/qnet/reference.ts: per core block j
 *   y = act(x·W_j + b_j); LayerNorm (no affine, biased variance) before or after the residual; residual x;
 * and the final projection score = x·W_{L-1}. Accumulation is float32 with FMA, k ascending; LayerNorm
 * statistics and the final dot product accumulate in double.
 *
 * Exports: isa() → "avx512" | "avx2" | "none"; score(config, weights[], biases[], docs, nDocs, out, isa?,
 * threads?) → Promise, resolved when `out` holds the scores. With threads > 1 the caller and helper threads split each layer's column strips, then its
 * documents; the scores are bit-identical for every thread count.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define QK_X86 1
#endif

enum { ACT_RELU, ACT_GELU, ACT_TANH, ACT_SIGMOID, ACT_LEAKY_RELU };
enum { ISA_NONE = 0, ISA_AVX2 = 1, ISA_AVX512 = 2 };

#define MAX_LAYERS 64
/* Documents per pass through the layers: two activation buffers of ROWS × 768 floats stay in L2. */
#define ROWS 256

typedef struct {
  int layers; /* L: number of weight matrices */
  int dims[MAX_LAYERS + 1];
  int activation;
  int layer_norm;
  int ln_before_residual;
  uint8_t residual[MAX_LAYERS];
  double eps;
  const float *w[MAX_LAYERS];
  const float *b[MAX_LAYERS];
} qnet;

struct team;

/* Per Node environment (main thread, each worker thread): activation buffers and the thread team. */
typedef struct {
  pthread_mutex_t lock; /* one call at a time uses the buffers and the team */
  float *buf;
  size_t cap; /* floats */
  struct team *team;
} workspace;

/* ---------------------------------------------------------------- GEMM: Y[m][n] = X[m][k] · W[k][n] */

#ifdef QK_X86
#define MR512 12
__attribute__((target("avx512f"), always_inline)) static inline void tile512(const int mr, int k, int n,
                                                                               const float *x, int ldx,
                                                                               const float *w, float *y,
                                                                               int ldy, __mmask16 m0,
                                                                               __mmask16 m1, int prefetch,
                                                                               const int masked, int accumulate) {
  __m512 acc[MR512][2];
  for (int i = 0; i < mr; i++) {
    if (accumulate) {
      acc[i][0] = _mm512_maskz_loadu_ps(m0, y + (size_t)i * ldy);
      acc[i][1] = _mm512_maskz_loadu_ps(m1, y + (size_t)i * ldy + 16);
    } else {
      acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    }
  }
  for (int p = 0; p < k; p++, w += n) {
    if (prefetch && p + 8 < k) {
      _mm_prefetch((const char *)(w + 8 * (size_t)n), _MM_HINT_T0);
      _mm_prefetch((const char *)(w + 8 * (size_t)n + 16), _MM_HINT_T0);
    }
    /* Masked loads only on the last, partial strip: on full strips they cost twice the time. */
    const __m512 b0 = masked ? _mm512_maskz_loadu_ps(m0, w) : _mm512_loadu_ps(w);
    const __m512 b1 = masked ? _mm512_maskz_loadu_ps(m1, w + 16) : _mm512_loadu_ps(w + 16);
    for (int i = 0; i < mr; i++) {
      const __m512 a = _mm512_set1_ps(x[(size_t)i * ldx + p]);
      acc[i][0] = _mm512_fmadd_ps(a, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(a, b1, acc[i][1]);
    }
  }
  for (int i = 0; i < mr; i++) {
    if (masked) {
      _mm512_mask_storeu_ps(y + (size_t)i * ldy, m0, acc[i][0]);
      _mm512_mask_storeu_ps(y + (size_t)i * ldy + 16, m1, acc[i][1]);
    } else {
      _mm512_storeu_ps(y + (size_t)i * ldy, acc[i][0]);
      _mm512_storeu_ps(y + (size_t)i * ldy + 16, acc[i][1]);
    }
  }
}

#define CASE512(r)                                                                                      \
  case r:                                                                                               \
    if (masked)                                                                                         \
      tile512(r, k, n, x, ldx, w, y, ldy, m0, m1, prefetch, 1, accumulate);                                         \
    else                                                                                                \
      tile512(r, k, n, x, ldx, w, y, ldy, m0, m1, prefetch, 0, accumulate);                                         \
    break;

__attribute__((target("avx512f"))) static void tile512_any(int mr, int k, int n, const float *x, int ldx,
                                                           const float *w, float *y, int ldy,
                                                           __mmask16 m0, __mmask16 m1, int prefetch,
                                                           int accumulate) {
  const int masked = m0 != 0xFFFF || m1 != 0xFFFF;
  switch (mr) {
    CASE512(1) CASE512(2) CASE512(3) CASE512(4) CASE512(5) CASE512(6)
    CASE512(7) CASE512(8) CASE512(9) CASE512(10) CASE512(11) CASE512(12)
  }
}

static __mmask16 lane_mask(int width) { return width >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << width) - 1u); }

#define KB 256 /* k per block: a strip's block (KB × 32 floats, 32 KB) stays in L1 */

__attribute__((target("avx512f"))) static void strip512(int m, int k, int n, const float *x, int ldx,
                                                        const float *w, float *y, int ldy, int c, int width) {
  const int blocks = (m + MR512 - 1) / MR512;
  const __mmask16 m0 = lane_mask(width), m1 = width > 16 ? lane_mask(width - 16) : 0;
  for (int p = 0; p < k; p += KB) {
    const int kb = k - p < KB ? k - p : KB;
    /* Row blocks of near-equal size (65 rows → 6 × 11) rather than 12s and a small remainder. */
    int row = 0;
    for (int b = 0; b < blocks; b++) {
      const int mr = (m - row) / (blocks - b);
      tile512_any(mr, kb, n, x + (size_t)row * ldx + p, ldx, w + (size_t)p * n + c, y + (size_t)row * ldy + c, ldy,
                  m0, m1, b == 0, p > 0);
      row += mr;
    }
  }
}

#define MR256 6
__attribute__((target("avx2,fma"), always_inline)) static inline void tile256(const int mr, int k, int n,
                                                                                const float *x, int ldx,
                                                                                const float *w, float *y,
                                                                                int ldy, __m256i m0,
                                                                                __m256i m1, int prefetch,
                                                                                const int masked, int accumulate) {
  __m256 acc[MR256][2];
  for (int i = 0; i < mr; i++) {
    if (accumulate) {
      acc[i][0] = _mm256_maskload_ps(y + (size_t)i * ldy, m0);
      acc[i][1] = _mm256_maskload_ps(y + (size_t)i * ldy + 8, m1);
    } else {
      acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    }
  }
  for (int p = 0; p < k; p++, w += n) {
    if (prefetch && p + 8 < k) _mm_prefetch((const char *)(w + 8 * (size_t)n), _MM_HINT_T0);
    const __m256 b0 = masked ? _mm256_maskload_ps(w, m0) : _mm256_loadu_ps(w);
    const __m256 b1 = masked ? _mm256_maskload_ps(w + 8, m1) : _mm256_loadu_ps(w + 8);
    for (int i = 0; i < mr; i++) {
      const __m256 a = _mm256_broadcast_ss(x + (size_t)i * ldx + p);
      acc[i][0] = _mm256_fmadd_ps(a, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(a, b1, acc[i][1]);
    }
  }
  for (int i = 0; i < mr; i++) {
    if (masked) {
      _mm256_maskstore_ps(y + (size_t)i * ldy, m0, acc[i][0]);
      _mm256_maskstore_ps(y + (size_t)i * ldy + 8, m1, acc[i][1]);
    } else {
      _mm256_storeu_ps(y + (size_t)i * ldy, acc[i][0]);
      _mm256_storeu_ps(y + (size_t)i * ldy + 8, acc[i][1]);
    }
  }
}

#define CASE256(r)                                                                                      \
  case r:                                                                                               \
    if (masked)                                                                                         \
      tile256(r, k, n, x, ldx, w, y, ldy, m0, m1, prefetch, 1, accumulate);                                         \
    else                                                                                                \
      tile256(r, k, n, x, ldx, w, y, ldy, m0, m1, prefetch, 0, accumulate);                                         \
    break;

__attribute__((target("avx2,fma"))) static void tile256_any(int mr, int k, int n, const float *x, int ldx,
                                                            const float *w, float *y, int ldy, __m256i m0,
                                                            __m256i m1, int prefetch, int accumulate) {
  const int masked = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_and_si256(m0, m1))) != 0xFF;
  switch (mr) { CASE256(1) CASE256(2) CASE256(3) CASE256(4) CASE256(5) CASE256(6) }
}

__attribute__((target("avx2"))) static __m256i lane_mask256(int width) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(width), lanes);
}

__attribute__((target("avx2,fma"))) static void strip256(int m, int k, int n, const float *x, int ldx,
                                                         const float *w, float *y, int ldy, int c, int width) {
  const int blocks = (m + MR256 - 1) / MR256;
  const __m256i m0 = lane_mask256(width), m1 = lane_mask256(width - 8);
  for (int p = 0; p < k; p += KB) {
    const int kb = k - p < KB ? k - p : KB;
    int row = 0;
    for (int b = 0; b < blocks; b++) {
      const int mr = (m - row) / (blocks - b);
      tile256_any(mr, kb, n, x + (size_t)row * ldx + p, ldx, w + (size_t)p * n + c, y + (size_t)row * ldy + c, ldy,
                  m0, m1, b == 0, p > 0);
      row += mr;
    }
  }
}

static int detect_isa(void) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return ISA_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return ISA_AVX2;
  return ISA_NONE;
}
#else
static int detect_isa(void) { return ISA_NONE; }
#endif

/*
 * Column strips of W: 32 columns (AVX-512) or 16 (AVX2), the first one ending at W's first 64-byte boundary
 * (a JavaScript Float32Array need not be aligned), so that every other strip loads whole cache lines.
 * Threads take contiguous ranges of strips; each output element is computed the same way whatever the
 * thread count, so scores do not depend on it.
 */
typedef struct {
  int first, width, count;
} strips;

static strips strip_plan(int isa, const float *w, int n) {
  const int width = isa == ISA_AVX512 ? 32 : 16;
  const int misaligned = (int)(((uintptr_t)w & 63u) / sizeof(float));
  int first = misaligned ? 16 - misaligned : width;
  if (first > n) first = n;
  const strips s = {first, width, 1 + (n > first ? (n - first + width - 1) / width : 0)};
  return s;
}

static void gemm_strips(int isa, int m, int k, int n, const float *x, int ldx, const float *w, float *y, int ldy,
                        strips s, int from, int to) {
  for (int i = from; i < to; i++) {
    const int c = i == 0 ? 0 : s.first + (i - 1) * s.width;
    const int width = (i == 0 ? s.first : s.width) < n - c ? (i == 0 ? s.first : s.width) : n - c;
#ifdef QK_X86
    if (isa == ISA_AVX512)
      strip512(m, k, n, x, ldx, w, y, ldy, c, width);
    else if (isa == ISA_AVX2)
      strip256(m, k, n, x, ldx, w, y, ldy, c, width);
#else
    (void)isa, (void)m, (void)k, (void)x, (void)ldx, (void)w, (void)y, (void)ldy, (void)width;
#endif
  }
}

/* ---------------------------------------------------------------- a team of threads for one call */

/*
 * The caller and size − 1 helper threads. Helpers sleep on a condition variable between calls (no CPU
 * while idle); within a call, phases are separated by a spinning barrier (a layer's GEMM, then its
 * per-document epilogue), which costs ~1 µs against ~1 ms of arithmetic per phase.
 */
#define MAX_THREADS 64

typedef struct team team;
typedef void (*task_fn)(void *arg, int tid, team *t);

typedef struct {
  team *t;
  int tid;
} helper_arg;

struct team {
  int size;
  pthread_t threads[MAX_THREADS];
  helper_arg args[MAX_THREADS];
  pthread_mutex_t mutex;
  pthread_cond_t wake;
  unsigned generation; /* guarded by mutex */
  int stop;            /* guarded by mutex */
  task_fn fn;
  void *arg;
  atomic_int done;
  atomic_int arrived;
  atomic_int phase;
};

static inline void cpu_relax(int *spins) {
  if (++*spins > 2000) {
    sched_yield();
    return;
  }
#ifdef QK_X86
  __builtin_ia32_pause();
#endif
}

static void barrier(team *t) {
  if (t->size == 1) return;
  const int phase = atomic_load_explicit(&t->phase, memory_order_acquire);
  if (atomic_fetch_add_explicit(&t->arrived, 1, memory_order_acq_rel) == t->size - 1) {
    atomic_store_explicit(&t->arrived, 0, memory_order_relaxed);
    atomic_store_explicit(&t->phase, phase + 1, memory_order_release);
  } else {
    int spins = 0;
    while (atomic_load_explicit(&t->phase, memory_order_acquire) == phase) cpu_relax(&spins);
  }
}

static void *helper_main(void *p) {
  helper_arg *h = (helper_arg *)p;
  team *t = h->t;
  unsigned seen = 0;
  for (;;) {
    pthread_mutex_lock(&t->mutex);
    while (t->generation == seen && !t->stop) pthread_cond_wait(&t->wake, &t->mutex);
    if (t->stop) {
      pthread_mutex_unlock(&t->mutex);
      return NULL;
    }
    seen = t->generation;
    task_fn fn = t->fn;
    void *arg = t->arg;
    pthread_mutex_unlock(&t->mutex);
    fn(arg, h->tid, t);
    atomic_fetch_add_explicit(&t->done, 1, memory_order_release);
  }
}

static team *team_create(int size) {
  team *t = (team *)calloc(1, sizeof(team));
  if (!t) return NULL;
  t->size = 1;
  pthread_mutex_init(&t->mutex, NULL);
  pthread_cond_init(&t->wake, NULL);
  for (int i = 1; i < size; i++) {
    t->args[i].t = t;
    t->args[i].tid = i;
    if (pthread_create(&t->threads[i], NULL, helper_main, &t->args[i]) != 0) break;
    t->size = i + 1;
  }
  return t;
}

static void team_destroy(team *t) {
  if (!t) return;
  pthread_mutex_lock(&t->mutex);
  t->stop = 1;
  pthread_cond_broadcast(&t->wake);
  pthread_mutex_unlock(&t->mutex);
  for (int i = 1; i < t->size; i++) pthread_join(t->threads[i], NULL);
  pthread_mutex_destroy(&t->mutex);
  pthread_cond_destroy(&t->wake);
  free(t);
}

/* Runs fn on every member (the caller is member 0) and returns when all have finished. */
static void team_run(team *t, task_fn fn, void *arg) {
  if (t->size == 1) {
    fn(arg, 0, t);
    return;
  }
  atomic_store_explicit(&t->done, 0, memory_order_relaxed);
  pthread_mutex_lock(&t->mutex);
  t->fn = fn;
  t->arg = arg;
  t->generation++;
  pthread_cond_broadcast(&t->wake);
  pthread_mutex_unlock(&t->mutex);
  fn(arg, 0, t);
  int spins = 0;
  while (atomic_load_explicit(&t->done, memory_order_acquire) != t->size - 1) cpu_relax(&spins);
}

/* ---------------------------------------------------------------- the rest of a core block, row by row */

/* Compiled for AVX-512, AVX2 and baseline x86-64 (chosen at load time) where the compiler supports it. */
#if defined(QK_X86) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define QK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define QK_CLONES
#endif

#define LANES 16

/* y += b, then the activation; the loops are split by kind so that ReLU and leaky ReLU vectorise. */
QK_CLONES static void bias_activate(float *restrict y, const float *restrict b, int n, int kind) {
  switch (kind) {
    case ACT_RELU:
      for (int o = 0; o < n; o++) {
        const float v = y[o] + b[o];
        y[o] = v > 0.0f ? v : 0.0f;
      }
      break;
    case ACT_LEAKY_RELU:
      for (int o = 0; o < n; o++) {
        const float v = y[o] + b[o];
        y[o] = v >= 0.0f ? v : 0.01f * v;
      }
      break;
    case ACT_GELU:
      for (int o = 0; o < n; o++) {
        const float v = y[o] + b[o];
        y[o] = 0.5f * v * (1.0f + erff(v * 0.70710678118654752f));
      }
      break;
    case ACT_TANH:
      for (int o = 0; o < n; o++) y[o] = tanhf(y[o] + b[o]);
      break;
    default:
      for (int o = 0; o < n; o++) y[o] = 1.0f / (1.0f + expf(-(y[o] + b[o])));
  }
}

QK_CLONES static void add_into(float *restrict y, const float *restrict x, int n) {
  for (int o = 0; o < n; o++) y[o] += x[o];
}

/* Sum in double over LANES independent partial sums (vectorisable, no long dependency chain). */
QK_CLONES static double sum_sq(const float *restrict y, int n, double mean, int squares) {
  double part[LANES] = {0};
  int i = 0;
  if (squares) {
    for (; i + LANES <= n; i += LANES)
      for (int l = 0; l < LANES; l++) {
        const double d = (double)y[i + l] - mean;
        part[l] += d * d;
      }
  } else {
    for (; i + LANES <= n; i += LANES)
      for (int l = 0; l < LANES; l++) part[l] += (double)y[i + l];
  }
  double total = 0.0;
  for (int l = 0; l < LANES; l++) total += part[l];
  for (; i < n; i++) {
    const double d = squares ? (double)y[i] - mean : (double)y[i];
    total += squares ? d * d : d;
  }
  return total;
}

QK_CLONES static void scale_shift(float *restrict y, int n, float mean, float inv) {
  for (int i = 0; i < n; i++) y[i] = (y[i] - mean) * inv;
}

QK_CLONES static double dot(const float *restrict x, const float *restrict w, int n) {
  double part[LANES] = {0};
  int i = 0;
  for (; i + LANES <= n; i += LANES)
    for (int l = 0; l < LANES; l++) part[l] += (double)x[i + l] * w[i + l];
  double total = 0.0;
  for (int l = 0; l < LANES; l++) total += part[l];
  for (; i < n; i++) total += (double)x[i] * w[i];
  return total;
}

/* LayerNorm without affine parameters, biased variance (F.layer_norm); statistics in double. */
static void layer_norm(float *y, int n, double eps) {
  const double mean = sum_sq(y, n, 0.0, 0) / n;
  const double variance = sum_sq(y, n, mean, 1) / n;
  scale_shift(y, n, (float)mean, (float)(1.0 / sqrt(variance + eps)));
}

typedef struct {
  const qnet *q;
  int isa;
  const float *docs;
  int n_docs;
  float *out;
  float *ws;  /* 2 × ROWS × widest floats per team member */
  int widest;
} forward_job;

static inline int share(int total, int tid, int size) { return (int)((long long)total * tid / size); }

/*
 * One pass of ≤ ROWS documents through the q-net, by `size` team members together (member `tid` here):
 * per core block they split the GEMM's column strips, then the documents for bias, activation, LayerNorm
 * and residual; then the documents for the projection. With size 1 there is no barrier.
 */
static void forward_pass(const forward_job *job, int start, int rows, float *bufs[2], int tid, int size, team *t) {
  const qnet *q = job->q;
  const int r0 = share(rows, tid, size), r1 = share(rows, tid + 1, size);
  const float *x = job->docs + (size_t)start * q->dims[0];
  int ldx = q->dims[0];
  int next = 0;
  for (int j = 0; j + 1 < q->layers; j++) {
    const int din = q->dims[j], dout = q->dims[j + 1];
    float *y = bufs[next];
    const strips s = strip_plan(job->isa, q->w[j], dout);
    gemm_strips(job->isa, rows, din, dout, x, ldx, q->w[j], y, dout, s, share(s.count, tid, size),
                share(s.count, tid + 1, size));
    if (size > 1) barrier(t);
    for (int r = r0; r < r1; r++) {
      float *yr = y + (size_t)r * dout;
      bias_activate(yr, q->b[j], dout, q->activation);
      if (q->layer_norm && q->ln_before_residual) layer_norm(yr, dout, q->eps);
      if (q->residual[j]) add_into(yr, x + (size_t)r * ldx, dout);
      if (q->layer_norm && !q->ln_before_residual) layer_norm(yr, dout, q->eps);
    }
    if (size > 1) barrier(t);
    x = y;
    ldx = dout;
    next ^= 1;
  }
  const int d = q->dims[q->layers - 1];
  for (int r = r0; r < r1; r++) job->out[start + r] = (float)dot(x + (size_t)r * ldx, q->w[q->layers - 1], d);
  /* The next pass overwrites the buffers this one reads. */
  if (size > 1) barrier(t);
}

/*
 * With at least a full pass per member, members take whole passes (no barriers: each streams W over its
 * own documents); with fewer documents — graph search's batches — they share every pass. Either way each
 * score is computed by the same sequence of operations, so the result does not depend on the thread count.
 */
static void forward_task(void *arg, int tid, team *t) {
  const forward_job *job = (const forward_job *)arg;
  const size_t per = (size_t)ROWS * job->widest;
  if (job->n_docs >= ROWS * t->size) {
    float *bufs[2] = {job->ws + 2 * per * tid, job->ws + 2 * per * tid + per};
    for (int start = tid * ROWS; start < job->n_docs; start += ROWS * t->size) {
      const int rows = job->n_docs - start < ROWS ? job->n_docs - start : ROWS;
      forward_pass(job, start, rows, bufs, 0, 1, t);
    }
    return;
  }
  float *bufs[2] = {job->ws, job->ws + per};
  for (int start = 0; start < job->n_docs; start += ROWS) {
    const int rows = job->n_docs - start < ROWS ? job->n_docs - start : ROWS;
    forward_pass(job, start, rows, bufs, tid, t->size, t);
  }
}

/* ---------------------------------------------------------------- N-API */

static int g_isa = -1;

#define CHECK(call)                                                                                     \
  do {                                                                                                  \
    if ((call) != napi_ok) return fail(env, "qnet_kernel: N-API call failed: " #call);                  \
  } while (0)

static napi_value fail(napi_env env, const char *message) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_type_error(env, NULL, message);
  return NULL;
}

static const char *isa_name(int isa) { return isa == ISA_AVX512 ? "avx512" : isa == ISA_AVX2 ? "avx2" : "none"; }

static napi_value js_isa(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  CHECK(napi_create_string_utf8(env, isa_name(g_isa), NAPI_AUTO_LENGTH, &result));
  return result;
}

static int float_array(napi_env env, napi_value value, float **data, size_t *length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  void *raw;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok) return 0;
  if (type != napi_float32_array) return 0;
  *data = (float *)raw;
  return 1;
}

static int get_named(napi_env env, napi_value object, const char *name, napi_value *value) {
  return napi_get_named_property(env, object, name, value) == napi_ok;
}

static int get_int(napi_env env, napi_value v, int *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

static void free_workspace(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  workspace *ws = (workspace *)data;
  team_destroy(ws->team);
  pthread_mutex_destroy(&ws->lock);
  free(ws->buf);
  free(ws);
}

/* One score() call, run on a libuv thread pool thread so that the JavaScript thread stays free. */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref refs[4]; /* weights, biases, docs, out */
  qnet q;
  int isa, threads, n_docs, widest;
  const float *docs;
  float *out;
  workspace *ws;
  const char *error;
} call;

static void release_call(napi_env env, call *c) {
  for (int i = 0; i < 4; i++)
    if (c->refs[i]) napi_delete_reference(env, c->refs[i]);
  if (c->work) napi_delete_async_work(env, c->work);
  free(c);
}

static void execute_call(napi_env env, void *data) {
  (void)env;
  call *c = (call *)data;
  workspace *ws = c->ws;
  pthread_mutex_lock(&ws->lock);
  const size_t need = (size_t)2 * ROWS * c->widest * c->threads;
  if (ws->cap < need) {
    free(ws->buf);
    ws->buf = (float *)aligned_alloc(64, need * sizeof(float));
    ws->cap = ws->buf ? need : 0;
  }
  if (ws->buf && (!ws->team || ws->team->size != c->threads)) {
    team_destroy(ws->team);
    ws->team = team_create(c->threads);
  }
  if (!ws->buf) {
    c->error = "qnet_kernel.score: out of memory for the activation buffers";
  } else if (!ws->team) {
    c->error = "qnet_kernel.score: could not start the scoring threads";
  } else {
    forward_job job = {&c->q, c->isa, c->docs, c->n_docs, c->out, ws->buf, c->widest};
    team_run(ws->team, forward_task, &job);
  }
  pthread_mutex_unlock(&ws->lock);
}

static void complete_call(napi_env env, napi_status status, void *data) {
  call *c = (call *)data;
  napi_value value = NULL;
  if (status == napi_ok && !c->error) {
    napi_get_undefined(env, &value);
    napi_resolve_deferred(env, c->deferred, value);
  } else {
    napi_value message;
    napi_create_string_utf8(env, c->error ? c->error : "qnet_kernel.score: the work was cancelled", NAPI_AUTO_LENGTH,
                            &message);
    napi_create_error(env, NULL, message, &value);
    napi_reject_deferred(env, c->deferred, value);
  }
  release_call(env, c);
}

/* score(config, weights, biases, docs, nDocs, out, isa?, threads?) — config {dims, activation (0–4),
 * layerNorm, layerNormBeforeResidual, residual: boolean per core block, lnEps}. Throws TypeError on
 * malformed input; returns a promise that resolves once the scores are in `out` (the work runs on a libuv
 * thread pool thread and the scoring team). */
static napi_value js_score(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) return fail(env, "qnet_kernel.score: expected (config, weights, biases, docs, nDocs, out[, isa])");

  qnet q;
  memset(&q, 0, sizeof q);
  napi_value v, item;
  uint32_t count = 0;
  if (!get_named(env, argv[0], "dims", &v) || napi_get_array_length(env, v, &count) != napi_ok || count < 2 ||
      count > MAX_LAYERS + 1)
    return fail(env, "qnet_kernel.score: config.dims must be an array of 2 to 65 sizes");
  q.layers = (int)count - 1;
  int widest = 0;
  for (uint32_t i = 0; i < count; i++) {
    if (napi_get_element(env, v, i, &item) != napi_ok || !get_int(env, item, &q.dims[i]) || q.dims[i] < 1)
      return fail(env, "qnet_kernel.score: config.dims must hold positive whole numbers");
    if (i > 0 && q.dims[i] > widest) widest = q.dims[i];
  }
  if (q.dims[q.layers] != 1) return fail(env, "qnet_kernel.score: the last dimension must be 1");
  if (!get_named(env, argv[0], "activation", &v) || !get_int(env, v, &q.activation) || q.activation < 0 ||
      q.activation > ACT_LEAKY_RELU)
    return fail(env, "qnet_kernel.score: config.activation must be 0–4");
  bool flag = false;
  if (!get_named(env, argv[0], "layerNorm", &v) || napi_get_value_bool(env, v, &flag) != napi_ok)
    return fail(env, "qnet_kernel.score: config.layerNorm must be a boolean");
  q.layer_norm = flag;
  if (!get_named(env, argv[0], "layerNormBeforeResidual", &v) || napi_get_value_bool(env, v, &flag) != napi_ok)
    return fail(env, "qnet_kernel.score: config.layerNormBeforeResidual must be a boolean");
  q.ln_before_residual = flag;
  if (!get_named(env, argv[0], "lnEps", &v) || napi_get_value_double(env, v, &q.eps) != napi_ok || !(q.eps > 0))
    return fail(env, "qnet_kernel.score: config.lnEps must be a positive number");
  if (!get_named(env, argv[0], "residual", &v) || napi_get_array_length(env, v, &count) != napi_ok ||
      (int)count != q.layers - 1)
    return fail(env, "qnet_kernel.score: config.residual must hold one boolean per core block");
  for (uint32_t i = 0; i < count; i++) {
    if (napi_get_element(env, v, i, &item) != napi_ok || napi_get_value_bool(env, item, &flag) != napi_ok)
      return fail(env, "qnet_kernel.score: config.residual must hold booleans");
    if (flag && q.dims[i] != q.dims[i + 1])
      return fail(env, "qnet_kernel.score: a residual block needs equal input and output sizes");
    q.residual[i] = flag;
  }

  for (int j = 0; j < q.layers; j++) {
    float *data;
    size_t length;
    if (napi_get_element(env, argv[1], (uint32_t)j, &item) != napi_ok || !float_array(env, item, &data, &length) ||
        length != (size_t)q.dims[j] * q.dims[j + 1])
      return fail(env, "qnet_kernel.score: weights[j] must be a Float32Array of dims[j] × dims[j+1] values");
    q.w[j] = data;
    if (j + 1 < q.layers) {
      if (napi_get_element(env, argv[2], (uint32_t)j, &item) != napi_ok ||
          !float_array(env, item, &data, &length) || length != (size_t)q.dims[j + 1])
        return fail(env, "qnet_kernel.score: biases[j] must be a Float32Array of dims[j+1] values");
      q.b[j] = data;
    }
  }
  float *docs, *out;
  size_t docs_length, out_length;
  int n_docs = 0;
  if (!float_array(env, argv[3], &docs, &docs_length))
    return fail(env, "qnet_kernel.score: docs must be a Float32Array");
  if (!get_int(env, argv[4], &n_docs) || n_docs < 0 || (size_t)n_docs * q.dims[0] > docs_length)
    return fail(env, "qnet_kernel.score: nDocs must be ≥ 0 and docs must hold nDocs × dims[0] values");
  if (!float_array(env, argv[5], &out, &out_length) || out_length < (size_t)n_docs)
    return fail(env, "qnet_kernel.score: out must be a Float32Array of at least nDocs values");

  int isa = g_isa;
  if (argc >= 7) {
    napi_valuetype type;
    CHECK(napi_typeof(env, argv[6], &type));
    if (type == napi_string) {
      char name[16];
      size_t len;
      CHECK(napi_get_value_string_utf8(env, argv[6], name, sizeof name, &len));
      const int wanted = strcmp(name, "avx512") == 0 ? ISA_AVX512 : strcmp(name, "avx2") == 0 ? ISA_AVX2 : -1;
      if (wanted < 0) return fail(env, "qnet_kernel.score: isa must be \"avx512\" or \"avx2\"");
      if (wanted > g_isa) return fail(env, "qnet_kernel.score: this CPU lacks the requested instruction set");
      isa = wanted;
    }
  }
  if (isa == ISA_NONE) return fail(env, "qnet_kernel.score: this CPU has neither AVX-512 nor AVX2 with FMA");
  int threads = 1;
  if (argc >= 8) {
    napi_valuetype type;
    CHECK(napi_typeof(env, argv[7], &type));
    if (type != napi_undefined && (!get_int(env, argv[7], &threads) || threads < 1 || threads > MAX_THREADS))
      return fail(env, "qnet_kernel.score: threads must be a whole number from 1 to 64");
  }

  workspace *ws = NULL;
  CHECK(napi_get_instance_data(env, (void **)&ws));
  call *c = (call *)calloc(1, sizeof(call));
  if (!c) return fail(env, "qnet_kernel.score: out of memory");
  c->q = q;
  c->isa = isa;
  c->threads = threads;
  c->docs = docs;
  c->n_docs = n_docs;
  c->out = out;
  c->widest = widest;
  c->ws = ws;
  /* The arrays stay referenced until the work completes, so the collector cannot free them under it. */
  napi_value held[] = {argv[1], argv[2], argv[3], argv[5]};
  for (int i = 0; i < 4; i++) {
    if (napi_create_reference(env, held[i], 1, &c->refs[i]) != napi_ok) {
      release_call(env, c);
      return fail(env, "qnet_kernel.score: N-API call failed: napi_create_reference");
    }
  }
  napi_value promise, name;
  if (napi_create_promise(env, &c->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "qnet_kernel.score", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute_call, complete_call, c, &c->work) != napi_ok ||
      napi_queue_async_work(env, c->work) != napi_ok) {
    release_call(env, c);
    return fail(env, "qnet_kernel.score: could not queue the work");
  }
  return promise;
}

NAPI_MODULE_INIT() {
  if (g_isa < 0) g_isa = detect_isa();
  workspace *ws = (workspace *)calloc(1, sizeof(workspace));
  if (!ws) return NULL;
  pthread_mutex_init(&ws->lock, NULL);
  if (napi_set_instance_data(env, ws, free_workspace, NULL) != napi_ok) return NULL;
  napi_property_descriptor props[] = {
      {"isa", NULL, js_isa, NULL, NULL, NULL, napi_default, NULL},
      {"score", NULL, js_score, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, 2, props) != napi_ok) return NULL;
  return exports;
}
