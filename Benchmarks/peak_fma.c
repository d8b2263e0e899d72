// FP32 peak of this machine: 12 independent 512-bit FMA chains per thread, 1 and 2 threads.
// clang -O2 -mavx512f -o /tmp/peak_fma Benchmarks/peak_fma.c -lpthread && /tmp/peak_fma
#include <immintrin.h>
#include <stdio.h>
#include <time.h>
#include <pthread.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
#define N 12
static void* run(void* arg){
  __m512 a[N]; __m512 b=_mm512_set1_ps(0.999999f), c=_mm512_set1_ps(1e-7f);
  for(int i=0;i<N;i++) a[i]=_mm512_set1_ps((float)i);
  long iters=(long)arg;
  for(long it=0;it<iters;it++){
    #pragma unroll
    for(int i=0;i<N;i++) a[i]=_mm512_fmadd_ps(a[i],b,c);
  }
  float s=0; for(int i=0;i<N;i++) s+=_mm512_reduce_add_ps(a[i]);
  static volatile float sink; sink=s; return 0;
}
int main(){
  long iters=400000000;
  for(int th=1;th<=2;th++){
    pthread_t t[2]; double t0=now();
    for(int i=0;i<th;i++) pthread_create(&t[i],0,run,(void*)iters);
    for(int i=0;i<th;i++) pthread_join(t[i],0);
    double dt=now()-t0; printf("%d threads: %.1f GFLOP/s\n", th, th*iters*N*16*2/dt/1e9);
  }
}
