# Packages of the desktop app (and the companion, when it is built):
#   Linux: a .deb (`cpack -G DEB` in the build tree); tests/TestLinuxPackage builds and installs it.
#   macOS: Jikken.app with its icon, Info.plist, the companion inside (Contents/MacOS/jikken) and Qt
#          deployed by macdeployqt, in a drag-and-drop .dmg (`cpack -G DragNDrop`). Run on a Mac.
set(JIKKEN_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})

if(APPLE AND TARGET jikken-desktop)
    # The icon set from the 1024 px icon, with the Mac's own tools (sips, iconutil).
    set(iconset ${CMAKE_BINARY_DIR}/jikken.iconset)
    set(icns ${CMAKE_BINARY_DIR}/jikken.icns)
    set(png ${PROJECT_SOURCE_DIR}/resources/icons/jikken-1024.png)
    set(resize_commands)
    foreach(size 16 32 128 256 512)
        math(EXPR double "${size} * 2")
        list(APPEND resize_commands
            COMMAND sips -z ${size} ${size} ${png} --out ${iconset}/icon_${size}x${size}.png
            COMMAND sips -z ${double} ${double} ${png} --out ${iconset}/icon_${size}x${size}@2x.png)
    endforeach()
    add_custom_command(OUTPUT ${icns}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${iconset}
        ${resize_commands}
        COMMAND iconutil -c icns ${iconset} -o ${icns}
        DEPENDS ${png}
        COMMENT "jikken.icns")
    target_sources(jikken-desktop PRIVATE ${icns})
    set_source_files_properties(${icns} PROPERTIES MACOSX_PACKAGE_LOCATION Resources)
    set_target_properties(jikken-desktop PROPERTIES
        MACOSX_BUNDLE ON
        OUTPUT_NAME Jikken
        MACOSX_BUNDLE_INFO_PLIST ${JIKKEN_PACKAGING_DIR}/macos/Info.plist.in
        MACOSX_BUNDLE_GUI_IDENTIFIER org.jikken.desktop
        MACOSX_BUNDLE_SHORT_VERSION_STRING ${PROJECT_VERSION}
        MACOSX_BUNDLE_BUNDLE_VERSION ${PROJECT_VERSION})
    install(TARGETS jikken-desktop BUNDLE DESTINATION .)
    if(TARGET jikken)
        # The companion rides inside the bundle, so a Mac can train and sync without a second install.
        install(TARGETS jikken RUNTIME DESTINATION Jikken.app/Contents/MacOS)
    endif()
    find_program(MACDEPLOYQT macdeployqt HINTS ${Qt6_DIR}/../../../bin REQUIRED)
    set(extra_executable)
    if(TARGET jikken)
        set(extra_executable "-executable=\${CMAKE_INSTALL_PREFIX}/Jikken.app/Contents/MacOS/jikken")
    endif()
    install(CODE "execute_process(COMMAND \"${MACDEPLOYQT}\" \"\${CMAKE_INSTALL_PREFIX}/Jikken.app\" ${extra_executable}
                                  -always-overwrite COMMAND_ERROR_IS_FATAL ANY)")
    set(CPACK_GENERATOR DragNDrop)
    set(CPACK_DMG_VOLUME_NAME Jikken)
elseif(UNIX AND TARGET jikken-desktop)
    install(TARGETS jikken-desktop RUNTIME DESTINATION bin)
    install(FILES ${JIKKEN_PACKAGING_DIR}/linux/jikken-desktop.desktop DESTINATION share/applications)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/jikken.png
            DESTINATION share/icons/hicolor/256x256/apps)
    set(CPACK_GENERATOR DEB)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON) # the Qt, protobuf and libtorch packages the binaries link
    # Plugins are loaded, not linked: the registry's SQLite driver must be named.
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite")
    # QtKeychain loads libsecret at run time to reach the Secret Service (GNOME Keyring, KWallet).
    set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libqt6sql6-psql, dataset-fashion-mnist, libsecret-1-0, gnome-keyring")
    set(CPACK_DEBIAN_PACKAGE_SECTION science)
    set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
endif()

set(CPACK_PACKAGE_NAME jikken)
set(CPACK_PACKAGE_VENDOR "Jikken")
set(CPACK_PACKAGE_CONTACT "Jikken developers <jikken@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Experiment manager: model registry, live curves, training dispatch")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_INSTALL_DIRECTORY Jikken)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
