"""Errors a service raises for the person who asked; the text is shown to them as is.

ServiceError
├── NotFound        the incident or draft does not exist
├── NotAllowed      the person may not do this (not an approver, own draft, …)
└── Conflict        the state moved on (already resolved, decided, superseded, …)
"""


class ServiceError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    pass


class NotAllowed(ServiceError):
    pass


class Conflict(ServiceError):
    pass
