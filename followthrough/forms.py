"""Form helpers shared by the coach's pages, the protocol and the client's portal."""


def apply_service_errors(form, exc, field_map=None):
    """Put a service's ValidationError onto the form fields it names.

    Services key their messages by model field; `field_map` renames the keys whose form
    field is called differently. Anything that names no field of the form goes to the top
    of the form, so no message is ever dropped.
    """
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.error_dict.items():
        name = field_map.get(key, key)
        if name in form.fields:
            form.add_error(name, errors)
        else:
            form.add_error(None, [message for error in errors for message in error.messages])
