# Run by `cmake --install` (install(CODE) in CMakeLists.txt), so that the
# files naming where things are installed follow the prefix given then
# (cmake --install build --prefix /opt/x), not the one configured: the
# systemd units, the pkg-config file (paths relative to ${prefix}) and the
# config file's place. DESTDIR is honoured as for every other file.
#
# Set by the caller: QA_SOURCE_DIR, QA_BINARY_DIR, QA_VERSION, QA_BINDIR,
# QA_INCLUDEDIR, QA_LIBDIR, QA_DOCDIR (relative to the prefix).

set(prefix "${CMAKE_INSTALL_PREFIX}")
# As GNUInstallDirs has it: /usr's config is in /etc, another prefix's in
# its own etc.
if(prefix STREQUAL "/usr")
  set(etc "/etc")
else()
  set(etc "${prefix}/etc")
endif()

foreach(name qa-scheduler.service qa-scheduler-backup.service
             qa-scheduler-backup.timer)
  file(READ "${QA_SOURCE_DIR}/${name}" unit)
  string(REPLACE "/usr/bin/qa-scheduler" "${prefix}/${QA_BINDIR}/qa-scheduler" unit "${unit}")
  string(REPLACE "/etc/qa-scheduler/" "${etc}/qa-scheduler/" unit "${unit}")
  string(REPLACE "/usr/share/doc/qa-scheduler/" "${prefix}/${QA_DOCDIR}/" unit "${unit}")
  file(WRITE "${QA_BINARY_DIR}/install/${name}" "${unit}")
  file(INSTALL "${QA_BINARY_DIR}/install/${name}"
       DESTINATION "${prefix}/lib/systemd/system")
endforeach()

file(WRITE "${QA_BINARY_DIR}/install/qa-scheduler-plugin.pc"
"prefix=${prefix}
includedir=\${prefix}/${QA_INCLUDEDIR}
plugindir=\${prefix}/${QA_LIBDIR}/qa-scheduler/plugins

Name: qa-scheduler-plugin
Description: Build activity plugins for qa-scheduler
Version: ${QA_VERSION}
Cflags: -I\${includedir}
")

file(INSTALL "${QA_BINARY_DIR}/install/qa-scheduler-plugin.pc"
     DESTINATION "${prefix}/${QA_LIBDIR}/pkgconfig")
file(INSTALL "${QA_SOURCE_DIR}/etc/qa-scheduler.conf"
     DESTINATION "${etc}/qa-scheduler")
