# cmake -DSOURCE_DIR=DIR -DPAGE=PAGE -DINDEX=N -P check_json_block.cmake
# Fails unless the N-th ```json docs-test=json block of PAGE (relative to SOURCE_DIR), a sample of
# what the CLI or the mock sends, is one well-formed JSON object. CMake's own parser does it, so
# the check needs no tool that scripts/setup does not install.
execute_process(
  COMMAND "${SOURCE_DIR}/scripts/doc-blocks" "${SOURCE_DIR}/${PAGE}" json "${INDEX}"
  OUTPUT_VARIABLE block RESULT_VARIABLE status)
string(STRIP "${block}" block)
if(NOT status EQUAL 0 OR block STREQUAL "")
  message(FATAL_ERROR "${PAGE} has no docs-test=json block number ${INDEX}")
endif()
# The parser ignores what follows a complete document; inside an array, anything after the first
# element that is not ", element" is an error, so one element means the block held one document.
string(JSON count ERROR_VARIABLE error LENGTH "[${block}]")
if(error)
  message(FATAL_ERROR "${PAGE}, json block ${INDEX}: not JSON: ${error}\n${block}")
endif()
string(JSON type TYPE "[${block}]" 0)
if(NOT count EQUAL 1 OR NOT type STREQUAL "OBJECT")
  message(FATAL_ERROR "${PAGE}, json block ${INDEX}: not one JSON object")
endif()
message(STATUS "${PAGE}, json block ${INDEX}: one JSON object")
