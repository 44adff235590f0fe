# Install layout and CPack DEB/RPM packages: breeze-agent (daemon, unit, private state folder) and
# breeze-server (server, admin CLI, unit, config, migrations). `cpack -G DEB` / `cpack -G RPM` in a build tree.
include(GNUInstallDirs)

if(BREEZE_BUILD_AGENT)
    install(FILES installers/systemd/breeze-agent.service DESTINATION lib/systemd/system COMPONENT agent)
endif()
if(BREEZE_BUILD_SERVER)
    install(FILES installers/systemd/breeze-server.service DESTINATION lib/systemd/system COMPONENT server)
    install(DIRECTORY migrations/ DESTINATION share/breeze/migrations COMPONENT server)
    install(FILES resources/config/breeze-server.conf DESTINATION share/breeze/examples COMPONENT server)
    install(FILES resources/config/breeze-server.conf DESTINATION /etc/breeze COMPONENT server)
    install(FILES docs/operations.md DESTINATION share/doc/breeze COMPONENT server)
endif()

set(CPACK_PACKAGE_NAME breeze)
set(CPACK_PACKAGE_VENDOR "Breeze")
set(CPACK_PACKAGE_CONTACT "Breeze maintainers <maintainers@breeze.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Breeze remote monitoring and management")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_COMPONENTS_ALL agent server)
set(CPACK_COMPONENTS_GROUPING IGNORE)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)

# Debian: one .deb per component, shared-library dependencies from dpkg-shlibdeps.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_AGENT_PACKAGE_NAME breeze-agent)
set(CPACK_DEBIAN_AGENT_DESCRIPTION "Breeze agent: keeps this machine connected to its Breeze server
 Reports heartbeats, metrics and inventory, and carries out commands from administrators. It only dials
 out to its server (TLS, pinned CA) and keeps what it could not send in a local spool.")
set(CPACK_DEBIAN_AGENT_PACKAGE_CONTROL_EXTRA
    "${CMAKE_SOURCE_DIR}/installers/deb/agent/postinst;${CMAKE_SOURCE_DIR}/installers/deb/agent/prerm;${CMAKE_SOURCE_DIR}/installers/deb/agent/postrm")
set(CPACK_DEBIAN_SERVER_PACKAGE_NAME breeze-server)
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_SERVER_PACKAGE_SUGGESTS "postgresql (>= 15)")
set(CPACK_DEBIAN_SERVER_DESCRIPTION "Breeze server: REST API, agent gateway and admin CLI
 Multi-tenant RMM server backed by PostgreSQL, with breeze-admin for headless administration.")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    "${CMAKE_SOURCE_DIR}/installers/deb/server/postinst;${CMAKE_SOURCE_DIR}/installers/deb/server/prerm;${CMAKE_SOURCE_DIR}/installers/deb/server/postrm;${CMAKE_SOURCE_DIR}/installers/deb/server/conffiles")

# RPM (RHEL family): the same components and scriptlets. Library requirements are computed from the binaries,
# so packages meant for RHEL must be built on RHEL (where Poco comes from EPEL).
set(CPACK_RPM_COMPONENT_INSTALL ON)
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "Proprietary")
set(CPACK_RPM_AGENT_PACKAGE_NAME breeze-agent)
set(CPACK_RPM_AGENT_POST_INSTALL_SCRIPT_FILE ${CMAKE_SOURCE_DIR}/installers/rpm/agent-post.sh)
set(CPACK_RPM_AGENT_PRE_UNINSTALL_SCRIPT_FILE ${CMAKE_SOURCE_DIR}/installers/rpm/agent-preun.sh)
set(CPACK_RPM_AGENT_POST_UNINSTALL_SCRIPT_FILE ${CMAKE_SOURCE_DIR}/installers/rpm/agent-postun.sh)
set(CPACK_RPM_SERVER_PACKAGE_NAME breeze-server)
set(CPACK_RPM_SERVER_POST_INSTALL_SCRIPT_FILE ${CMAKE_SOURCE_DIR}/installers/rpm/server-post.sh)
set(CPACK_RPM_SERVER_PRE_UNINSTALL_SCRIPT_FILE ${CMAKE_SOURCE_DIR}/installers/rpm/server-preun.sh)
set(CPACK_RPM_SERVER_POST_UNINSTALL_SCRIPT_FILE ${CMAKE_SOURCE_DIR}/installers/rpm/server-postun.sh)
set(CPACK_RPM_SERVER_USER_FILELIST "%config(noreplace) /etc/breeze/breeze-server.conf")
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION /etc/breeze /usr/lib/systemd /usr/lib/systemd/system)

include(CPack)
cpack_add_component(agent DISPLAY_NAME "Breeze agent")
cpack_add_component(server DISPLAY_NAME "Breeze server")
