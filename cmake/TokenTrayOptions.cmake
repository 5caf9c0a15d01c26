# One INTERFACE target carries the language level, warnings and Qt strictness macros.
# Every target links it.
add_library(tokentray_options INTERFACE)
target_compile_features(tokentray_options INTERFACE cxx_std_20)
target_include_directories(tokentray_options INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
target_compile_definitions(tokentray_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_CONTEXTLESS_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_URL_CAST_FROM_STRING
    QT_STRICT_ITERATORS
    # Nothing Qt deprecated up to the oldest Qt we build with (Debian's 6.4) compiles.
    QT_DISABLE_DEPRECATED_BEFORE=0x060400
    QT_DISABLE_DEPRECATED_UP_TO=0x060400
    TOKENTRAY_VERSION="${PROJECT_VERSION}")
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(tokentray_options INTERFACE
        -Wall -Wextra -Wpedantic -Wold-style-cast -Wnon-virtual-dtor $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>
        -Wcast-qual -Woverloaded-virtual)
    if(TOKENTRAY_WERROR)
        target_compile_options(tokentray_options INTERFACE -Werror)
    endif()
    if(TOKENTRAY_SANITIZE)
        target_compile_options(tokentray_options INTERFACE
            -fsanitize=${TOKENTRAY_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
        target_link_options(tokentray_options INTERFACE -fsanitize=${TOKENTRAY_SANITIZE})
    endif()
elseif(MSVC)
    target_compile_options(tokentray_options INTERFACE /W4 /permissive- $<$<BOOL:${TOKENTRAY_WERROR}>:/WX>)
endif()
