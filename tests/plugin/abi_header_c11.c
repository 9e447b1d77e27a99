/* Compiled as strict C11: the host ABI header must be valid C, and the C
 * view of every struct must have the size the C++ plugin sees. */
#include "mdt_host/mdt_host_api.h"

#include <stddef.h>

size_t c11_sizeof_callbacks(void) { return sizeof(mdt_host_callbacks); }
size_t c11_sizeof_create_info(void) { return sizeof(mdt_plugin_create_info); }
size_t c11_sizeof_entry(void) { return sizeof(mdt_plugin_entry); }
size_t c11_sizeof_error(void) { return sizeof(mdt_error); }
size_t c11_offsetof_notify(void) { return offsetof(mdt_host_callbacks, notify); }
