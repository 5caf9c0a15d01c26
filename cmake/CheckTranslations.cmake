# Fails when TS_FILE lacks a finished translation for any string in SOURCES: lupdate runs on a
# copy (the committed file stays as it is) and the copy must have no unfinished entry.
file(MAKE_DIRECTORY ${WORK_DIR})
get_filename_component(name ${TS_FILE} NAME)
set(copy ${WORK_DIR}/${name})
configure_file(${TS_FILE} ${copy} COPYONLY)
execute_process(COMMAND ${LUPDATE} -silent -no-obsolete -locations none -I ${INCLUDE_DIR} ${SOURCES} -ts ${copy}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "lupdate failed: ${err}")
endif()
file(READ ${copy} content)
string(REGEX MATCHALL "<source>[^<]*</source>[^<]*<translation type=\"unfinished\"" unfinished "${content}")
list(LENGTH unfinished count)
if(count GREATER 0)
    string(REGEX REPLACE "<translation type=\"unfinished\"" "" unfinished "${unfinished}")
    string(REPLACE ";" "\n" unfinished "${unfinished}")
    message(FATAL_ERROR "${TS_FILE}: ${count} string(s) without a German translation "
                        "(run: cmake --build <build> --target update_translations, then translate):\n${unfinished}")
endif()
