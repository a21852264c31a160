// Matrix multiplication with integers and doubles; the -O2 build vectorises with SSE2.
#include <stdio.h>

#define N 40

static int ia[N][N], ib[N][N], ic[N][N];
static double da[N][N], db[N][N], dc[N][N];

int main(void) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      ia[i][j] = (i * 3 + j) % 17 - 8;
      ib[i][j] = (i + j * 5) % 13 - 6;
      da[i][j] = (i + 1) / (double)(j + 1);
      db[i][j] = (i - j) * 0.25;
    }
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      int s = 0;
      double d = 0;
      for (int k = 0; k < N; k++) { s += ia[i][k] * ib[k][j]; d += da[i][k] * db[k][j]; }
      ic[i][j] = s;
      dc[i][j] = d;
    }
  long trace = 0;
  double dtrace = 0;
  for (int i = 0; i < N; i++) { trace += ic[i][i]; dtrace += dc[i][i]; }
  printf("int trace %ld corner %d %d\n", trace, ic[0][N - 1], ic[N - 1][0]);
  printf("double trace %.6f corner %.6f\n", dtrace, dc[N - 1][N - 1]);
  return 0;
}
