"""A tiny random-weight llama GGUF, written at test time, that llama.cpp loads in milliseconds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from gguf import GGUFWriter, LlamaFileType, TokenType

N_EMBD = 64
N_HEAD = 4
N_HEAD_KV = 2
N_FF = 128
N_LAYER = 2
N_CTX_TRAIN = 8192

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

# Common English words; each one and its prefixes become SentencePiece pieces ("▁the").
_WORDS_TEXT = (
    "the of and to in is was that for it with as on be at by this had not are but from or have "
    "an they which one you were her all she there would their we him been has when who will more "
    "no if out so said what up its about into than them can only other new some could time these "
    "two may then do first any my now such like our over man me even most made after also did "
    "many before must through back years where much your way well down should because each just "
    "those people how too little state good very make world still own see men work long get here "
    "between both life being under never day same another know while last might us great old "
    "year off come since against go came right used take three hello answer question model token "
    "bench arena fast speed test server prompt reply ok yes"
)


def _vocab() -> tuple[list[str], list[float], list[int]]:
    """Tokens, scores and token types of the tiny SentencePiece vocabulary."""
    tokens = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"]
    types = [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL]
    types += [TokenType.CONTROL, TokenType.CONTROL]
    for b in range(256):
        tokens.append(f"<0x{b:02X}>")
        types.append(TokenType.BYTE)
    pieces = ["\u2581"]
    for word in _WORDS_TEXT.split():
        # every prefix too, so that SentencePiece's pairwise merges can reach the whole word
        pieces += [f"\u2581{word[:i]}" for i in range(1, len(word) + 1)]
    pieces += [chr(c) for c in range(ord("a"), ord("z") + 1)]
    pieces += [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    pieces += [str(d) for d in range(10)]
    pieces += list(".,:;!?'\"()-")
    seen: set[str] = set(tokens)
    for p in pieces:
        if p not in seen:
            seen.add(p)
            tokens.append(p)
            types.append(TokenType.NORMAL)
    # SentencePiece merges by score: longer pieces must win, so score by length.
    scores = [
        0.0 if t != TokenType.NORMAL else float(len(tok))
        for tok, t in zip(tokens, types, strict=True)
    ]
    return tokens, scores, [int(t) for t in types]


def write_tiny_llama_gguf(path: Path, seed: int = 0) -> Path:
    """Write a 2-layer random llama GGUF with a ChatML template and byte-fallback vocab to path."""
    tokens, scores, types = _vocab()
    n_vocab = len(tokens)
    head_dim = N_EMBD // N_HEAD
    rng = np.random.default_rng(seed)

    def rand(*shape: int, scale: float = 0.02) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    # Dimension 0 of the residual stream carries a large constant so that, after the final norm,
    # it dominates; the output row of every normal token is positive there and every byte or
    # control token (EOS included) is strongly negative: the model writes words and never stops
    # by itself, so a request always generates max_tokens and its text stays valid UTF-8.
    token_embd = rand(n_vocab, N_EMBD, scale=0.5)
    token_embd[:, 0] = 8.0
    output = rand(n_vocab, N_EMBD, scale=1.0)
    normal = np.array([t == TokenType.NORMAL for t in types])
    output[:, 0] = np.where(normal, 2.0, -30.0)

    writer = GGUFWriter(path, arch="llama")
    writer.add_name("arena-tiny-llama")
    writer.add_context_length(N_CTX_TRAIN)
    writer.add_embedding_length(N_EMBD)
    writer.add_block_count(N_LAYER)
    writer.add_feed_forward_length(N_FF)
    writer.add_head_count(N_HEAD)
    writer.add_head_count_kv(N_HEAD_KV)
    writer.add_rope_dimension_count(head_dim)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_vocab_size(n_vocab)
    writer.add_file_type(LlamaFileType.ALL_F32)

    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_unk_token_id(0)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(4)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_chat_template(CHATML_TEMPLATE)

    writer.add_tensor("token_embd.weight", token_embd)
    writer.add_tensor("output_norm.weight", np.ones(N_EMBD, dtype=np.float32))
    writer.add_tensor("output.weight", output)
    kv_dim = head_dim * N_HEAD_KV
    for i in range(N_LAYER):
        writer.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        writer.add_tensor(f"blk.{i}.attn_q.weight", rand(N_EMBD, N_EMBD))
        writer.add_tensor(f"blk.{i}.attn_k.weight", rand(kv_dim, N_EMBD))
        writer.add_tensor(f"blk.{i}.attn_v.weight", rand(kv_dim, N_EMBD))
        writer.add_tensor(f"blk.{i}.attn_output.weight", rand(N_EMBD, N_EMBD))
        writer.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        writer.add_tensor(f"blk.{i}.ffn_gate.weight", rand(N_FF, N_EMBD))
        writer.add_tensor(f"blk.{i}.ffn_up.weight", rand(N_FF, N_EMBD))
        writer.add_tensor(f"blk.{i}.ffn_down.weight", rand(N_EMBD, N_FF))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
