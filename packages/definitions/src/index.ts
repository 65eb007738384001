// Public API of @tstr/definitions: declarative test and suite documents (YAML/JSON) to API requests.
