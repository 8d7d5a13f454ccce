#include "syscalls/portfs_impl.h"
void portfs_scn_register(void) {}
