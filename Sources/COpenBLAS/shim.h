// Debian installs cblas.h under /usr/include/x86_64-linux-gnu/openblas-pthread/;
// pkg-config (openblas.pc) adds that directory to the include path.
#include <cblas.h>
