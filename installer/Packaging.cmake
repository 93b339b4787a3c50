# Packaging: install rules for the data files (desktop entry, AppStream metadata, hicolor icons, man pages, bash
# completion, copyright, changelog) and the CPack DEB configuration. The programs install themselves with
# install(TARGETS … RUNTIME DESTINATION bin) in app/*/CMakeLists.txt. Included last from the top-level CMakeLists.txt;
# `cpack -G DEB` in the build directory then makes build/package/heyo-access_<version>-<rev>_<arch>.deb.
include_guard(GLOBAL)

if(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
  return()
endif()

set(HEYO_PACKAGE_MAINTAINER "The Heyo Access maintainers <maintainers@heyo.computer>"
    CACHE STRING "Maintainer field of the Debian package and its changelog")
set(HEYO_DEB_REVISION 1 CACHE STRING "Debian revision of the package")
set(HEYO_DEB_VERSION "${PROJECT_VERSION}-${HEYO_DEB_REVISION}")

set(_heyo_in ${CMAKE_CURRENT_LIST_DIR})
set(_heyo_res ${PROJECT_SOURCE_DIR}/resources)
set(_heyo_out ${PROJECT_BINARY_DIR}/installer)
file(MAKE_DIRECTORY ${_heyo_out})

# `install` (which cpack runs) must not build the whole tree first: the package test builds only what the package
# holds (installer/test-package.sh), so a half-written test elsewhere cannot stop packaging.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# Debian wants 0755 directories whatever the builder's umask.
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# Targets of resources/ (the .qrc library the tray app links, the PNG renders of the icon).
set(HEYO_ICON_PNG_SIZES 16 22 24 32 48 64 128 256)
add_subdirectory(${_heyo_res} ${PROJECT_BINARY_DIR}/resources)

# --- Man pages and the changelog: versioned from the project, gzipped reproducibly (gzip -n: no name, no time).
find_program(HEYO_GZIP gzip REQUIRED)
set(_heyo_gz_files)
foreach(page heyo heyo-edge heyo-access)
  configure_file(${_heyo_in}/man/${page}.1 ${_heyo_out}/man/${page}.1 @ONLY)
  add_custom_command(OUTPUT ${_heyo_out}/man/${page}.1.gz
    COMMAND ${HEYO_GZIP} -9nf -k ${_heyo_out}/man/${page}.1
    DEPENDS ${_heyo_out}/man/${page}.1 ${_heyo_in}/man/${page}.1
    COMMENT "Compressing ${page}(1)" VERBATIM)
  list(APPEND _heyo_gz_files ${_heyo_out}/man/${page}.1.gz)
  install(FILES ${_heyo_out}/man/${page}.1.gz DESTINATION share/man/man1)
endforeach()

configure_file(${_heyo_in}/changelog.Debian.in ${_heyo_out}/changelog.Debian @ONLY)
add_custom_command(OUTPUT ${_heyo_out}/changelog.Debian.gz
  COMMAND ${HEYO_GZIP} -9nf -k ${_heyo_out}/changelog.Debian
  DEPENDS ${_heyo_out}/changelog.Debian ${_heyo_in}/changelog.Debian.in
  COMMENT "Compressing changelog.Debian" VERBATIM)
list(APPEND _heyo_gz_files ${_heyo_out}/changelog.Debian.gz)
add_custom_target(heyo_package_data ALL DEPENDS ${_heyo_gz_files})

# --- Data files.
install(FILES ${_heyo_out}/changelog.Debian.gz ${_heyo_in}/copyright DESTINATION share/doc/heyo-access)
install(FILES ${_heyo_in}/computer.heyo.Access.desktop DESTINATION share/applications)
install(FILES ${_heyo_in}/computer.heyo.Access.metainfo.xml DESTINATION share/metainfo)
install(FILES ${_heyo_in}/completions/heyo.bash DESTINATION share/bash-completion/completions RENAME heyo)
install(FILES ${_heyo_res}/icons/heyo-access.svg DESTINATION share/icons/hicolor/scalable/apps)
if(TARGET heyo_icon_pngs)
  foreach(size IN LISTS HEYO_ICON_PNG_SIZES)
    install(FILES ${PROJECT_BINARY_DIR}/resources/hicolor/${size}x${size}/apps/heyo-access.png
            DESTINATION share/icons/hicolor/${size}x${size}/apps)
  endforeach()
endif()

# --- CPack: one binary package, heyo-access, with all three programs.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME heyo-access)
set(CPACK_PACKAGE_VENDOR "Heyo")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/package)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON) # lintian: no unstripped binaries (the build type keeps debug info)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "reach private Heyo endpoints from curl, git and the browser")
set(CPACK_DEBIAN_PACKAGE_NAME heyo-access)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${HEYO_DEB_REVISION})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${HEYO_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# CPack puts the summary line first itself.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "A private Heyo endpoint only answers requests that carry a token of the
account that owns it. Heyo Access signs you in, keeps the token in the
desktop keychain (Secret Service), and forwards each endpoint to a port on
127.0.0.1 that attaches the token, so that curl, git and a browser reach it
unmodified.
.
This package contains heyo-access, the tray app; heyo, the command line
(also a git credential helper); and heyo-edge, a self-hostable reference
service with the control-plane API and the authenticating edge proxy.")
# Libraries come from dpkg-shlibdeps on the built binaries; what is loaded at run time is named here: the SVG icon
# engine (tray icons), libsecret (qtkeychain's Secret Service backend, dlopen()ed).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6svg6, libsecret-1-0")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnome-keyring | kwalletmanager, xdg-utils")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_DEBUGINFO_PACKAGE OFF)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
# Only our own install rules: nothing of a third-party subproject.
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};${PROJECT_NAME};ALL;/")
include(CPack)
