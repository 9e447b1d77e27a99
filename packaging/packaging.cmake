# Debian packages for fleet rollout (docs/deployment.md):
#   mdt-coresponder        the plugin, the CLI, the example fleet config, docs
#   mdt-coresponder-stubs  stand-ins for the MDT host, CAD, GPS and the flag
#                          registry, for bench tests and the demo
# Included from the top-level CMakeLists.txt after every target is defined,
# so each install() below can be guarded with if(TARGET ...).
# Build them: cmake --build BUILD && (cd BUILD && cpack -G DEB)

include(GNUInstallDirs)

# cpack and `make install` install what is built instead of first building
# every target (all the tests): a packaging run builds only what it ships.
# `make package` builds everything before it packages anyway.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(_pkg_dir ${CMAKE_CURRENT_LIST_DIR})
set(_doc_dir share/doc/mdt-coresponder)

# ----------------------------------------------------------- mdt-coresponder
if(TARGET mdt_coresponder)
  # A plugin is loaded by path, not through the linker, so it lives in a
  # private directory rather than on the library search path.
  install(TARGETS mdt_coresponder
          LIBRARY DESTINATION lib/mdt-coresponder COMPONENT main NAMELINK_SKIP)
endif()
if(TARGET mdt-coresponder)
  install(TARGETS mdt-coresponder RUNTIME DESTINATION bin COMPONENT main)
endif()
if(TARGET mdt-coresponder-panel)
  install(TARGETS mdt-coresponder-panel RUNTIME DESTINATION bin COMPONENT main)
  # A user unit: the panel host runs in the signed-in session, as its browser does.
  install(FILES ${_pkg_dir}/systemd/mdt-coresponder-panel.service
          DESTINATION lib/systemd/user COMPONENT main)
endif()
# Absolute on purpose: configuration belongs in /etc whatever the prefix.
install(FILES ${PROJECT_SOURCE_DIR}/config/examples/fleet.ini
        DESTINATION /etc/mdt-coresponder COMPONENT main)
install(FILES ${PROJECT_SOURCE_DIR}/config/examples/unit-2A31.ini
              ${PROJECT_SOURCE_DIR}/config/examples/coresponders.txt
        DESTINATION ${_doc_dir}/examples COMPONENT main)
foreach(doc README.md docs/config.md docs/deployment.md docs/protocol.md docs/architecture.md
            docs/registry-format.md docs/panel-format.md docs/panel-ux.md docs/outcomes.md docs/portability.md)
  if(EXISTS ${PROJECT_SOURCE_DIR}/${doc})
    install(FILES ${PROJECT_SOURCE_DIR}/${doc} DESTINATION ${_doc_dir} COMPONENT main)
  endif()
endforeach()
# The screenshots panel-ux.md shows.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/images DESTINATION ${_doc_dir} COMPONENT main)

# ----------------------------------------------------- mdt-coresponder-stubs
foreach(stub stub-mdt-host stub-cad stub-gps stub-registry)
  if(TARGET ${stub})
    install(TARGETS ${stub} RUNTIME DESTINATION bin COMPONENT stubs)
  endif()
endforeach()

# ---------------------------------------------------------------------- CPack
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mdt-coresponder)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "mdt-coresponder maintainers <mdt-coresponder@example.org>")
set(CPACK_PACKAGE_VENDOR "mdt-coresponder project")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_COMPONENTS_ALL main stubs)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies (libzmq5, libpoco*, libsqlite3-0, ...) come from
# dpkg-shlibdeps, so they match whatever the build machine linked against.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_MAIN_PACKAGE_NAME mdt-coresponder)
set(CPACK_DEBIAN_MAIN_DESCRIPTION
    "Premise-history and co-responder panels for police Mobile Data Terminals\n"
    " A native MDT plugin: subscribes to CAD dispatches over ZeroMQ, reads GPS\n"
    " over serial, keeps safety and care flags in a local encrypted cache, and\n"
    " shows premise history and a one-tap co-responder request when a unit is\n"
    " dispatched to a flagged address. Includes the mdt-coresponder CLI\n"
    " (doctor, config check, cache and GPS tools).")
# useradd and userdel (postinst, postrm) come from passwd.
set(CPACK_DEBIAN_MAIN_PACKAGE_DEPENDS "passwd")
# The panel host opens its page in chromium's app window; a car whose MDT
# vendor hosts the plugin itself does not need it.
set(CPACK_DEBIAN_MAIN_PACKAGE_RECOMMENDS "chromium")
# conffiles: dpkg keeps an edited fleet.ini on upgrade and asks first.
set(CPACK_DEBIAN_MAIN_PACKAGE_CONTROL_EXTRA
    ${_pkg_dir}/debian/conffiles ${_pkg_dir}/debian/postinst ${_pkg_dir}/debian/postrm)

set(CPACK_DEBIAN_STUBS_PACKAGE_NAME mdt-coresponder-stubs)
set(CPACK_DEBIAN_STUBS_DESCRIPTION
    "Stand-ins for the systems around mdt-coresponder (testing only)\n"
    " stub-mdt-host loads the plugin and renders its panels in a terminal;\n"
    " stub-cad is a CAD gateway, stub-gps a GPS receiver on a pseudo-terminal,\n"
    " stub-registry a flag registry. For bench tests and demos, not for cars.")
set(CPACK_DEBIAN_STUBS_PACKAGE_DEPENDS "mdt-coresponder (= ${PROJECT_VERSION})")

include(CPack)
cpack_add_component(main DISPLAY_NAME "mdt-coresponder" REQUIRED)
cpack_add_component(stubs DISPLAY_NAME "mdt-coresponder-stubs")
