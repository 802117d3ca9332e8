include(CMakePackageConfigHelpers)

install(TARGETS udl EXPORT udlTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/udl DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/include/udl/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/udl)

install(EXPORT udlTargets NAMESPACE udl:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/udl)
configure_package_config_file(cmake/udlConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/udlConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/udl)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/udlConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/udlConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/udlConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/udl)

# pkg-config's prefix is fixed at install time so `cmake --install --prefix P` works:
# the file is generated per prefix by a small install script.
install(CODE "
  set(PROJECT_DESCRIPTION \"${PROJECT_DESCRIPTION}\")
  set(PROJECT_VERSION \"${PROJECT_VERSION}\")
  set(CMAKE_INSTALL_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(CMAKE_INSTALL_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(UDL_PC_PRIVATE \"${UDL_PC_PRIVATE}\")
  configure_file(\"${CMAKE_CURRENT_SOURCE_DIR}/cmake/udl.pc.in\"
                 \"${CMAKE_CURRENT_BINARY_DIR}/udl.pc.install\" @ONLY)
  file(INSTALL \"${CMAKE_CURRENT_BINARY_DIR}/udl.pc.install\"
       DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig\"
       RENAME udl.pc)
")
