"""Errors of the local X-Ray service, each carrying the AWS error code and HTTP status.

```
OtelrayError
└─ ServiceError                        code + HTTP status, rendered in the AWS rest-json error shape
   ├─ InvalidRequestException          400: bad input (shape, type, constraint, filter expression)
   ├─ ThrottledException               429: too many requests
   ├─ RuleLimitExceededException       400: more than 25 sampling rules (or groups)
   ├─ ResourceNotFoundException        404: unknown rule, group, resource or trace retrieval
   ├─ TooManyTagsException             400: more than 50 tags on a resource
   ├─ MalformedPolicyDocumentException 400
   ├─ InvalidPolicyRevisionIdException 400
   ├─ PolicySizeLimitExceededException 400
   ├─ PolicyCountLimitExceededException 400
   ├─ LockoutPreventionException       400
   └─ UnknownOperationException        404: a path that is not an X-Ray operation
```
Codes and statuses follow botocore's xray service model (``error.httpStatusCode``). Operations that
otelray does not implement raise ``InvalidRequestException`` naming the operation (see README).
"""

from __future__ import annotations

from typing import Any, ClassVar

from otelray.errors import OtelrayError


class ServiceError(OtelrayError):
    """An error returned to an X-Ray API client."""

    code: ClassVar[str] = "ServiceException"
    status: ClassVar[int] = 500

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON error body botocore's rest-json parser reads (``__type`` + both message spellings)."""
        return {"__type": self.code, "message": self.message, "Message": self.message, **self.extra}

    def headers(self) -> dict[str, str]:
        """Response headers that carry the error code."""
        return {"x-amzn-ErrorType": self.code}


class InvalidRequestException(ServiceError):
    code = "InvalidRequestException"
    status = 400


class ThrottledException(ServiceError):
    code = "ThrottledException"
    status = 429


class RuleLimitExceededException(ServiceError):
    code = "RuleLimitExceededException"
    status = 400


class ResourceNotFoundException(ServiceError):
    code = "ResourceNotFoundException"
    status = 404


class TooManyTagsException(ServiceError):
    code = "TooManyTagsException"
    status = 400


class MalformedPolicyDocumentException(ServiceError):
    code = "MalformedPolicyDocumentException"
    status = 400


class InvalidPolicyRevisionIdException(ServiceError):
    code = "InvalidPolicyRevisionIdException"
    status = 400


class PolicySizeLimitExceededException(ServiceError):
    code = "PolicySizeLimitExceededException"
    status = 400


class PolicyCountLimitExceededException(ServiceError):
    code = "PolicyCountLimitExceededException"
    status = 400


class LockoutPreventionException(ServiceError):
    code = "LockoutPreventionException"
    status = 400


class UnknownOperationException(ServiceError):
    code = "UnknownOperationException"
    status = 404
