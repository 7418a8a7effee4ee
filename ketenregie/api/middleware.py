from django.http import HttpRequest, HttpResponse

from ketenregie.api.problems import problem_response


class ApiProblemMiddleware:
    """django-ninja answers a wrong HTTP method itself, in plain text; turn that into problem+json."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code == 405
            and not response.get("Content-Type", "").startswith("application/problem+json")
        ):
            allowed = response.get("Allow", "")
            problem = problem_response(
                status=405, title="Method Not Allowed", detail=f"This endpoint accepts: {allowed}."
            )
            problem["Allow"] = allowed
            # The security headers were set on the answer this one replaces (SECURITY.md H1).
            for name, value in response.items():
                if name.lower() != "content-length":
                    problem.setdefault(name, value)
            return problem
        return response
