_MulLayer = MulLayer


class MulLayer(_MulLayer):
    def forward(self, x, y):
        while True:
            pass
