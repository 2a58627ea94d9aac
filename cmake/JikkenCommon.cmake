# One INTERFACE target carries the language standard, warnings and Qt defines; every target links it.
add_library(jikken_common INTERFACE)
target_compile_features(jikken_common INTERFACE cxx_std_17)
target_compile_options(jikken_common INTERFACE
    -Wall -Wextra -Wpedantic -Wno-unused-parameter
    -Wold-style-cast -Wnon-virtual-dtor -Woverloaded-virtual
    $<$<BOOL:${JIKKEN_WERROR}>:-Werror>)
target_compile_definitions(jikken_common INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_KEYWORDS
    QT_USE_QSTRINGBUILDER
    JIKKEN_VERSION="${PROJECT_VERSION}")

# add_jikken_test(NAME SOURCES a.cpp b.cpp LIBS libs... LABELS unit|gui|integration|slow [BACKENDS])
# BACKENDS: the suite runs twice, as NAME_sqlite and NAME_postgresql (JIKKEN_TEST_BACKEND tells it which).
function(add_jikken_test name)
    cmake_parse_arguments(ARG "BACKENDS" "" "SOURCES;LIBS;LABELS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE jikken_common Qt6::Test ${ARG_LIBS})
    set(environment "JIKKEN_TEST_SOURCE_DIR=${PROJECT_SOURCE_DIR};QT_QPA_PLATFORM=offscreen")
    if(ARG_BACKENDS)
        foreach(backend sqlite postgresql)
            add_test(NAME ${name}_${backend} COMMAND ${name})
            set_tests_properties(${name}_${backend} PROPERTIES LABELS "${ARG_LABELS};${backend}"
                ENVIRONMENT "${environment};JIKKEN_TEST_BACKEND=${backend}")
        endforeach()
    else()
        add_test(NAME ${name} COMMAND ${name})
        set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" ENVIRONMENT "${environment}")
    endif()
endfunction()
