"""과제 4: 합성곱 계층과 최대 풀링 계층.

형상: x는 (N, C, H, W), 필터 W는 (FN, C, FH, FW), 편향 b는 (FN,)입니다.
스트라이드가 S, 패딩이 P이면 출력은 (N, FN, OH, OW)이고, 여기서

    OH = 1 + (H + 2*P - FH) // S        OW = 1 + (W + 2*P - FW) // S

두 계층 모두 im2col을 씁니다. 필터가 지나가는 윈도우를 하나씩 행렬
``col`` (N*OH*OW, C*FH*FW)의 한 행으로 복사합니다. 행은 (n, oh, ow) 순서,
열은 (c, fh, fw) 순서입니다. 그러면 합성곱은 행렬 곱 한 번,
``col_W = W.reshape(FN, -1).T``일 때 ``col . col_W``에 b를 더한 것이 됩니다.
즉 ``col``의 행에 적용한 Affine 계층입니다. 역전파는 Affine의 역전파 뒤에
``col2im``을 적용하는 것입니다. ``col2im``은 행을 다시 이미지로 접으면서 여러
윈도우가 공유하는 픽셀의 기울기를 더합니다.

채널 하나에 대해 커널 기울기는 다음과 같습니다.

    dE/dW[m, n] = sum over i, j of delta[i, j] * x[i + m, j + n]

여기서 delta = dE/d(out)입니다. 입력과 상류에서 흘러온 기울기의 교차상관입니다.
강의 Q&A의 5x5 입력과 4x4 기울기 맵에 대해서는
dW = [[0.044606, 0.094061], [0.011262, 0.068288]]입니다.

최대 풀링은 각 윈도우의 상류 기울기를 최댓값이었던 원소로 보내고 나머지에는 0을
줍니다(max 게이트). ``forward``는 각 최댓값의 위치를 ``self.arg_max``에
저장합니다. 최댓값이 여럿이면 ``np.argmax``가 고르는 대로 윈도우의 행 우선
순서에서 첫 번째 원소입니다.
"""
import numpy as np


def conv_output_size(input_size, filter_size, stride=1, pad=0):
    return (input_size + 2 * pad - filter_size) // stride + 1


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    """input_data (N, C, H, W)의 (filter_h, filter_w) 윈도우를 하나씩 한 행으로 복사합니다.

    형상이 (N*OH*OW, C*FH*FW)인 ``col``을 반환합니다. 행은 (n, oh, ow) 순서, 열은
    (c, fh, fw) 순서로, ``W.reshape(FN, -1)``와 같은 순서입니다.
    """
    N, C, H, W = input_data.shape
    out_h = conv_output_size(H, filter_h, stride, pad)
    out_w = conv_output_size(W, filter_w, stride, pad)

    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((N, C, filter_h, filter_w, out_h, out_w))
    for y in range(filter_h):
        for x in range(filter_w):
            # 필터의 (y, x) 칸이 보는 입력 픽셀들, 출력 위치마다 하나씩
            col[:, :, y, x, :, :] = img[:, :, y:y + stride * out_h:stride, x:x + stride * out_w:stride]

    return col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """``col``을 형상이 ``input_shape`` (N, C, H, W)인 배열로 다시 접습니다. im2col의 반대입니다.

    윈도우가 겹치는 곳에서는 같은 픽셀의 원소를 더합니다. 역전파에 바로 이것이
    필요합니다. 여러 윈도우가 쓰는 픽셀은 그 윈도우들의 기울기 합을 받습니다.
    """
    N, C, H, W = input_shape
    out_h = conv_output_size(H, filter_h, stride, pad)
    out_w = conv_output_size(W, filter_w, stride, pad)
    col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)

    img = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for y in range(filter_h):
        for x in range(filter_w):
            img[:, :, y:y + stride * out_h:stride, x:x + stride * out_w:stride] += col[:, :, y, x, :, :]

    return img[:, :, pad:H + pad, pad:W + pad]


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad

        # backward를 위해 forward가 저장해 둔 값
        self.x = None
        self.col = None
        self.col_W = None

        self.dW = None
        self.db = None

    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, C, H, W = x.shape
        out_h = conv_output_size(H, FH, self.stride, self.pad)
        out_w = conv_output_size(W, FW, self.stride, self.pad)

        col = im2col(x, FH, FW, self.stride, self.pad)
        col_W = self.W.reshape(FN, -1).T
        out = np.dot(col, col_W) + self.b  # 형상 (N*OH*OW, FN)
        out = out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)

        self.x = x
        self.col = col
        self.col_W = col_W
        return out

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError(
            "Convolution.backward: x와 같은 형상 (N, C, H, W)의 dx를 반환하고, 형상이 (FN, "
            "C, FH, FW)인 self.dW와 형상이 (FN,)인 self.db를 저장하세요."
        )


class Pooling:
    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad

        self.x = None
        self.arg_max = None

    def forward(self, x):
        N, C, H, W = x.shape
        out_h = conv_output_size(H, self.pool_h, self.stride, self.pad)
        out_w = conv_output_size(W, self.pool_w, self.stride, self.pad)

        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)  # 한 행에 윈도우 하나, 행은 (n, oh, ow, c) 순서

        arg_max = np.argmax(col, axis=1)
        out = np.max(col, axis=1)
        out = out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

        self.x = x
        self.arg_max = arg_max
        return out

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError(
            "Pooling.backward: x와 같은 형상 (N, C, H, W)의 dx를 반환하세요. 각 윈도우의 기울기는 "
            "그 윈도우에서 최댓값이었던 원소로 갑니다(forward가 윈도우 안에서의 인덱스를 self.arg_max에 저장해 "
            "두었습니다)."
        )
