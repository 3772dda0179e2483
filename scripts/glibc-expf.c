// Prints inputs and results of the C library's expf (hex bits, one pair a
// line): special values, then N pseudo-random inputs in [-110, 0] and near
// 0. The reference for llama.TestGlibcExpf (glibc's expf is what llama.cpp's
// CPU flash attention calls).
//
// usage: gcc -O2 -o build/glibc-expf scripts/glibc-expf.c -lm &&
//   build/glibc-expf 2000 > inference/llama/testdata/glibc-expf.txt
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
static uint32_t bits(float f){uint32_t u;memcpy(&u,&f,4);return u;}
int main(int argc,char**argv){
  int n=atoi(argv[1]); uint64_t s=88172645463325252ULL;
  float special[]={0.0f,-0.0f,-1e-30f,-1.0f,-87.0f,-88.5f,-100.0f,-103.5f,-103.9f,-104.0f,-1e10f,88.0f,88.7f,88.8f,-INFINITY,INFINITY};
  for(unsigned i=0;i<sizeof special/sizeof *special;i++){float x=special[i];volatile float y=expf(x);printf("%08x %08x\n",bits(x),bits(y));}
  for(int i=0;i<n;i++){
    s^=s<<13;s^=s>>7;s^=s<<17;
    float x;
    if(i%2==0){ x = -(float)((s>>11)*(1.0/9007199254740992.0))*110.0f; }   /* [-110,0] */
    else { x = -(float)((s>>11)*(1.0/9007199254740992.0))*0.01f; }        /* near 0 */
    volatile float y=expf(x);
    printf("%08x %08x\n",bits(x),bits(y));
  }
}
