// Port enumeration through libserialport: it knows sysfs, USB descriptors
// and vid:pid, which is what fleet IT needs to tell the GPS puck from the
// radio modem.
#include <libserialport.h>

#include <algorithm>

#include "mdtc/gps.h"

namespace mdtc::gps {

Result<std::vector<PortInfo>> list_ports() {
  sp_port** list = nullptr;
  if (sp_list_ports(&list) != SP_OK) {
    const char* msg = sp_last_error_message();
    Error e = make_error("gps.list_failed", std::string("cannot list serial ports: ") + (msg ? msg : "unknown error"));
    if (msg) sp_free_error_message(const_cast<char*>(msg));
    return e;
  }
  std::vector<PortInfo> out;
  for (sp_port** p = list; *p; ++p) {
    PortInfo info;
    info.name = sp_get_port_name(*p);
    if (const char* d = sp_get_port_description(*p)) info.description = d;
    switch (sp_get_port_transport(*p)) {
      case SP_TRANSPORT_USB:
        info.transport = "usb";
        sp_get_port_usb_vid_pid(*p, &info.usb_vid, &info.usb_pid);
        break;
      case SP_TRANSPORT_BLUETOOTH: info.transport = "bluetooth"; break;
      default: info.transport = "native"; break;
    }
    out.push_back(std::move(info));
  }
  sp_free_port_list(list);
  // USB first: a GPS puck is almost always USB; built-in ttyS ports are
  // usually empty and slow to probe.
  std::stable_sort(out.begin(), out.end(), [](const PortInfo& a, const PortInfo& b) {
    return (a.transport == "usb") > (b.transport == "usb");
  });
  return out;
}

}  // namespace mdtc::gps
