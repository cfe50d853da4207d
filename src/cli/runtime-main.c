#include <stdio.h>

int main(void)
{
        fputs("husk-runtime: not built yet\n", stderr);
        return 1;
}
