// FP32 peak of this machine: 12 independent FMA chains per thread, 1 and 2 threads.
// 512-bit FMAs when built with -mavx512f, 256-bit otherwise (AVX2 hosts such as AMD Zen 3):
// clang -O2 -march=native -o /tmp/peak_fma Benchmarks/peak_fma.c -lpthread && /tmp/peak_fma
#include <immintrin.h>
#include <stdio.h>
#include <time.h>
#include <pthread.h>
#ifdef __AVX512F__
typedef __m512 vec;
#define LANES 16
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
static float sum(vec v){return _mm512_reduce_add_ps(v);}
#else
typedef __m256 vec;
#define LANES 8
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
static float sum(vec v){float f[8];_mm256_storeu_ps(f,v);float s=0;for(int i=0;i<8;i++)s+=f[i];return s;}
#endif
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
#define N 12
static void* run(void* arg){
  vec a[N]; vec b=SET1(0.999999f), c=SET1(1e-7f);
  for(int i=0;i<N;i++) a[i]=SET1((float)i);
  long iters=(long)arg;
  for(long it=0;it<iters;it++){
    #pragma unroll
    for(int i=0;i<N;i++) a[i]=FMA(a[i],b,c);
  }
  float s=0; for(int i=0;i<N;i++) s+=sum(a[i]);
  static volatile float sink; sink=s; return 0;
}
int main(){
  long iters=400000000;
  printf("%d-bit FMAs\n", LANES*32);
  for(int th=1;th<=2;th++){
    pthread_t t[2]; double t0=now();
    for(int i=0;i<th;i++) pthread_create(&t[i],0,run,(void*)iters);
    for(int i=0;i<th;i++) pthread_join(t[i],0);
    double dt=now()-t0; printf("%d threads: %.1f GFLOP/s\n", th, th*iters*N*LANES*2/dt/1e9);
  }
}
