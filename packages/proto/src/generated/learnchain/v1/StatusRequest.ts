// Original file: proto/learnchain/v1/validator.proto


export interface StatusRequest {
}

export interface StatusRequest__Output {
}
