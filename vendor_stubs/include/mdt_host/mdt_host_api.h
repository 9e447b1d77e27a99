/*
 * MDT host plugin ABI, version 1.
 *
 * The stand-in for a Mobile Data Terminal vendor's SDK header: the host (the
 * MDT application) loads a plugin with dlopen, looks up one symbol,
 * `mdt_plugin_get_entry`, and drives the plugin through the table it returns.
 *
 * Rules that keep this ABI stable across host and plugin releases:
 *  - Plain C, fixed-width integers, no enums in structs (their size varies).
 *  - Every struct starts with `struct_size` and `api_version`. New fields are
 *    only ever appended; a reader copies min(struct_size, sizeof(its struct))
 *    and treats missing trailing fields as absent (NULL / 0).
 *  - No exception, longjmp or abort crosses the boundary: every call returns
 *    an mdt_status and, on failure, fills the caller's mdt_error.
 *  - Strings are UTF-8 and NUL-terminated. Unless a comment says otherwise a
 *    string argument is borrowed: valid only for the duration of the call.
 *  - Memory the plugin hands out is released with the plugin's free_string.
 *
 * Versions. MDT_HOST_API_VERSION is the major version: host and plugin must
 * agree on it exactly (mdt_plugin_get_entry returns NULL otherwise, and a
 * callback table of another api_version is refused with MDT_ERR_VERSION).
 * Within a major version a struct only grows at its end, so a larger or
 * smaller struct_size than the reader knows is accepted as long as it holds
 * every required member; that is the whole compatibility rule.
 *
 * Panels. show_panel and update_panel carry a panel document: JSON with
 * "v":1, specified in docs/panel-format.md. A host renders kinds, sections
 * and fields it does not know generically and ignores unknown keys.
 */
#ifndef MDT_HOST_API_H
#define MDT_HOST_API_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MDT_HOST_API_VERSION 1u

/* Marks the plugin's one exported symbol (the library is otherwise built
 * with hidden visibility). */
#if defined(_WIN32)
#define MDT_PLUGIN_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define MDT_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define MDT_PLUGIN_EXPORT
#endif

/* Status codes returned across the ABI. 0 is success. */
#define MDT_OK 0
#define MDT_ERR_INVALID_ARGUMENT 1 /* a NULL or malformed argument */
#define MDT_ERR_VERSION 2          /* struct too small or api_version unsupported */
#define MDT_ERR_CONFIG 3           /* configuration missing or invalid */
#define MDT_ERR_STATE 4            /* call not valid in the current lifecycle state */
#define MDT_ERR_NOT_FOUND 5        /* unknown panel or action */
#define MDT_ERR_IO 6               /* a file, socket or device failed */
#define MDT_ERR_INTERNAL 7         /* a bug: reported, never a crash */

/* Log levels for mdt_host_callbacks.log (syslog numbering). */
#define MDT_LOG_ERROR 3
#define MDT_LOG_WARNING 4
#define MDT_LOG_NOTICE 5
#define MDT_LOG_INFO 6
#define MDT_LOG_DEBUG 7

/* Notification priorities for mdt_host_callbacks.notify. */
#define MDT_NOTIFY_INFO 0
#define MDT_NOTIFY_CAUTION 1 /* a safety flag: the host may speak it aloud */

typedef struct mdt_error {
  uint32_t struct_size;
  uint32_t api_version;
  int32_t code;       /* an MDT_ERR_* value */
  char message[480];  /* NUL-terminated, truncated if longer */
} mdt_error;

/*
 * Callbacks the host gives the plugin.
 *
 * Threads: the plugin calls every callback from its own pipeline thread (never
 * from the thread that called create/start/stop/destroy, and never two at a
 * time), except `log`, which any plugin thread may call; a host must make
 * `log` thread-safe. Callbacks must not call back into the plugin's entry
 * points; to react to a panel, the host calls on_user_action later. A
 * callback should return within a few milliseconds: the next dispatch waits.
 * The table and host_data must stay valid from create until destroy returns.
 * Required: show_panel, update_panel, close_panel, log (a NULL one fails
 * create with MDT_ERR_INVALID_ARGUMENT naming it; a table too small to hold
 * them, with MDT_ERR_VERSION). Optional, may be NULL or beyond the host's
 * struct_size: current_user, notify.
 * Every const char* argument is borrowed: copy it to keep it.
 */
typedef struct mdt_host_callbacks {
  uint32_t struct_size;
  uint32_t api_version;
  void* host_data; /* passed back unchanged as the first argument */

  /* Required. Pipeline thread. Show a new panel. panel_json is a panel
   * document (docs/panel-format.md).
   * MDT_OK means the panel is on screen. Any other value means it is not: the
   * plugin keeps it and calls show_panel again, with its latest content, at
   * its next change and at least once a second until the host returns MDT_OK
   * or the panel is closed; it never sends update_panel for it meanwhile. */
  int32_t (*show_panel)(void* host_data, const char* panel_id, const char* panel_json);
  /* Required. Pipeline thread. Replace the content of a panel already shown.
   * MDT_ERR_NOT_FOUND means the
   * host no longer has it (say the user closed it): the plugin then shows it
   * again with show_panel. Another error leaves the old content up and the
   * plugin sends the update again once a second until the host takes it. */
  int32_t (*update_panel)(void* host_data, const char* panel_id, const char* panel_json);
  /* Required. Pipeline thread. Close a panel. Closing an unknown panel is not
   * an error; the plugin does not retry a close the host refuses. */
  int32_t (*close_panel)(void* host_data, const char* panel_id);
  /* Required. Any plugin thread, concurrently: must be thread-safe. A
   * diagnostic line; never contains personal data or flag notes. */
  void (*log)(void* host_data, int32_t level, const char* module, const char* message);
  /* Optional. Pipeline thread. Writes the signed-in user's id (for the audit
   * log) into buf, NUL-terminated. Returns the id's length, or -1 if nobody
   * is signed in; NULL or -1 records the user as unknown. */
  int32_t (*current_user)(void* host_data, char* buf, uint32_t buf_size);
  /* Optional. Pipeline thread. A short line for the officer's attention;
   * CAUTION lines may be spoken. NULL: the panel alone carries it. */
  void (*notify)(void* host_data, int32_t priority, const char* text);
} mdt_host_callbacks;

typedef struct mdt_plugin_create_info {
  uint32_t struct_size;
  uint32_t api_version;
  /* Fleet configuration file (INI). Required. */
  const char* config_path;
  /* Per-unit override file layered over the fleet file. May be NULL. */
  const char* unit_config_path;
} mdt_plugin_create_info;

typedef struct mdt_plugin mdt_plugin; /* opaque */

/*
 * The plugin's entry table. Lifecycle: create -> start -> stop -> destroy;
 * start after stop is allowed; stop and destroy may be called more than once
 * or in any state (they do nothing when there is nothing to do).
 * create/start/stop/destroy are called from one host thread. on_user_action
 * may be called from any one host thread at a time and never blocks on I/O.
 */
typedef struct mdt_plugin_entry {
  uint32_t struct_size;
  uint32_t api_version;
  const char* plugin_name;    /* static string owned by the plugin */
  const char* plugin_version; /* static string owned by the plugin */

  /* Validates the configuration once and prepares the plugin; starts no thread.
   * `host` is copied; host->host_data must outlive the plugin.
   * One instance per process: the plugin's logging is process-wide, so while
   * an instance exists (until destroy returns) a second create fails with
   * MDT_ERR_STATE and says so. Destroy the first before creating another. */
  int32_t (*create)(const mdt_host_callbacks* host, const mdt_plugin_create_info* info,
                    mdt_plugin** out_plugin, mdt_error* error);
  /* Opens the cache, starts the CAD link, GPS reader and pipeline threads.
   * One plugin per unit's state directory across processes: while another
   * process runs this unit on the same state, start fails with
   * MDT_ERR_STATE and a message naming that process and its account. */
  int32_t (*start)(mdt_plugin* plugin, mdt_error* error);
  /* Cancels and joins every thread; panels stay as they are. */
  int32_t (*stop)(mdt_plugin* plugin, mdt_error* error);
  /* Stops if needed and frees everything. NULL is ignored. */
  void (*destroy)(mdt_plugin* plugin);
  /* A tap on a panel action. payload_json may be NULL. */
  int32_t (*on_user_action)(mdt_plugin* plugin, const char* panel_id, const char* action_id,
                            const char* payload_json, mdt_error* error);
  /* Health and counters as a JSON object; free the result with free_string.
   * Returns NULL on failure. Any thread. */
  char* (*status_json)(mdt_plugin* plugin);
  /* Frees a string returned by this plugin. NULL is ignored. */
  void (*free_string)(char* s);
} mdt_plugin_entry;

/* The one exported symbol. Returns NULL if the plugin cannot serve a host of
 * host_api_version (the major version must match exactly). The table is
 * static and valid until dlclose. Any thread. A host finds it with
 * dlsym(handle, MDT_PLUGIN_ENTRY_SYMBOL) and calls it through the typedef. */
MDT_PLUGIN_EXPORT const struct mdt_plugin_entry* mdt_plugin_get_entry(uint32_t host_api_version);
typedef const mdt_plugin_entry* (*mdt_plugin_get_entry_fn)(uint32_t host_api_version);
#define MDT_PLUGIN_ENTRY_SYMBOL "mdt_plugin_get_entry"

#ifdef __cplusplus
}
#endif

#endif /* MDT_HOST_API_H */
