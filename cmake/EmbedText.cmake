# Writes OUTPUT, a C++ source defining `const std::string& FUNCTION()` that returns INPUT's content.
# Run with: cmake -DINPUT=... -DOUTPUT=... -DFUNCTION=... -DHEADER=... -P
file(READ "${INPUT}" content)
string(FIND "${content}" ")BRZTXT\"" clash)
if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${INPUT} contains the raw-string delimiter")
endif()
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by cmake/EmbedText.cmake. Do not edit.\n#include \"${HEADER}\"\n\nnamespace breeze::server {\n\nconst std::string& ${FUNCTION}() {\n    static const std::string text = R\"BRZTXT(${content})BRZTXT\";\n    return text;\n}\n\n} // namespace breeze::server\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
file(REMOVE "${OUTPUT}.tmp")
