#include <stdio.h>
#include "kernpool.h"
int main(void) { printf("budget %d\n", kp_cpu_budget()); return 0; }
