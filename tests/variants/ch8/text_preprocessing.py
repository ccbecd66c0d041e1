"""Recorded buggy variants of ch8/text_preprocessing.py: each must be rejected by at least one grader.

Each entry replaces functions (or the class) of the reference solution. "feedback" must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ read_time_machine
    "read_no_plus": {
        "why": "re.sub('[^A-Za-z]', ' ', line): every non-letter becomes its own space, runs are not collapsed",
        "feedback": "RUN of non-letters",
        "source": '''
            def read_time_machine(path):
                with open(path, "r", encoding="utf-8") as f:
                    lines = f.readlines()
                return [re.sub("[^A-Za-z]", " ", line).strip().lower() for line in lines]
        ''',
    },
    "read_word_class": {
        "why": r"re.sub(r'\\W+', ' ', line): digits and '_' survive",
        "feedback": "digits or '_' survived",
        "source": r'''
            def read_time_machine(path):
                with open(path, "r", encoding="utf-8") as f:
                    lines = f.readlines()
                return [re.sub(r"[\W]+", " ", line, flags=re.ASCII).strip().lower() for line in lines]
        ''',
    },
    "read_isalpha": {
        "why": "keeps every str.isalpha() character: accented letters survive",
        "feedback": "non-ASCII character survived",
        "source": '''
            def read_time_machine(path):
                with open(path, "r", encoding="utf-8") as f:
                    lines = f.readlines()
                out = []
                for line in lines:
                    cleaned = "".join(c if c.isalpha() else " " for c in line)
                    out.append(" ".join(cleaned.split()).lower())
                return out
        ''',
    },
    "read_no_lower": {
        "why": "forgets .lower()",
        "feedback": "lower-case each line",
        "source": '''
            def read_time_machine(path):
                with open(path, "r", encoding="utf-8") as f:
                    lines = f.readlines()
                return [re.sub("[^A-Za-z]+", " ", line).strip() for line in lines]
        ''',
    },
    "read_no_strip": {
        "why": "forgets .strip(): the newline becomes a trailing space",
        "feedback": ".strip() each cleaned line",
        "source": '''
            def read_time_machine(path):
                with open(path, "r", encoding="utf-8") as f:
                    lines = f.readlines()
                return [re.sub("[^A-Za-z]+", " ", line).lower() for line in lines]
        ''',
    },
    "read_drops_empty_lines": {
        "why": "filters out lines that are empty after cleaning",
        "feedback": "are kept as ''",
        "source": '''
            def read_time_machine(path):
                with open(path, "r", encoding="utf-8") as f:
                    lines = f.readlines()
                cleaned = [re.sub("[^A-Za-z]+", " ", line).strip().lower() for line in lines]
                return [line for line in cleaned if line]
        ''',
    },
    "read_split_newline": {
        "why": "f.read().split('\\\\n'): one extra '' after the final newline",
        "feedback": "one line too many",
        "source": '''
            def read_time_machine(path):
                with open(path, "r", encoding="utf-8") as f:
                    lines = f.read().split("\\n")
                return [re.sub("[^A-Za-z]+", " ", line).strip().lower() for line in lines]
        ''',
    },
    # ------------------------------------------------------------------ tokenize
    "tokenize_split_space": {
        "why": "line.split(' '): empty tokens for double spaces and empty lines",
        "feedback": "line.split(' ') splits at every single space",
        "source": '''
            def tokenize(lines, token="word"):
                if token == "word":
                    return [line.split(" ") for line in lines]
                if token == "char":
                    return [list(line) for line in lines]
                raise ValueError(f"unknown token type {token!r}")
        ''',
    },
    "tokenize_char_without_spaces": {
        "why": "character tokens without the spaces",
        "feedback": "character tokens keep the spaces",
        "source": '''
            def tokenize(lines, token="word"):
                if token == "word":
                    return [line.split() for line in lines]
                if token == "char":
                    return [[c for c in line if c != " "] for line in lines]
                raise ValueError(f"unknown token type {token!r}")
        ''',
    },
    "tokenize_prints_unknown": {
        "why": "the book's code: prints an error message and returns None for an unknown type",
        "feedback": "instead of printing a message",
        "source": '''
            def tokenize(lines, token="word"):
                if token == "word":
                    return [line.split() for line in lines]
                elif token == "char":
                    return [list(line) for line in lines]
                else:
                    print("错误：未知词元类型：" + token)
        ''',
    },
    "tokenize_else_is_char": {
        "why": "anything that is not 'word' gives characters: no error for a typo",
        "feedback": "ValueError",
        "source": '''
            def tokenize(lines, token="word"):
                if token == "word":
                    return [line.split() for line in lines]
                return [list(line) for line in lines]
        ''',
    },
    # ------------------------------------------------------------------ count_corpus
    "count_tuples_flattened": {
        "why": "isinstance(tokens[0], (list, tuple)): a list of bigram tuples is flattened into words",
        "feedback": "(list, tuple)",
        "source": '''
            def count_corpus(tokens):
                if len(tokens) == 0 or isinstance(tokens[0], (list, tuple)):
                    tokens = [token for line in tokens for token in line]
                return collections.Counter(tokens)
        ''',
    },
    "count_str_means_flat": {
        "why": "1-D only when the first element is a str: a list of int indices is taken for lines",
        "feedback": "decide 2-D by the type of the first element",
        "source": '''
            def count_corpus(tokens):
                if len(tokens) > 0 and not isinstance(tokens[0], str):
                    tokens = [token for line in tokens for token in line]
                return collections.Counter(tokens)
        ''',
    },
    "count_plain_dict": {
        "why": "counts into a plain dict",
        "feedback": "return collections.Counter",
        "source": '''
            def count_corpus(tokens):
                if len(tokens) == 0 or isinstance(tokens[0], list):
                    tokens = [token for line in tokens for token in line]
                counts = {}
                for t in tokens:
                    counts[t] = counts.get(t, 0) + 1
                return counts
        ''',
    },
    "count_set_per_line": {
        "why": "counts each token once per line (a set of the line)",
        "feedback": "every occurrence counts",
        "source": '''
            def count_corpus(tokens):
                if len(tokens) == 0 or isinstance(tokens[0], list):
                    return collections.Counter(t for line in tokens for t in dict.fromkeys(line))
                return collections.Counter(tokens)
        ''',
    },
    "count_index_first": {
        "why": "looks at tokens[0] before checking for an empty list",
        "feedback": "before looking at tokens[0]",
        "source": '''
            def count_corpus(tokens):
                if isinstance(tokens[0], list):
                    tokens = [token for line in tokens for token in line]
                return collections.Counter(tokens)
        ''',
    },
    # ------------------------------------------------------------------ Vocab
    "vocab_book_unk_twice": {
        "why": "the book's ['<unk>'] + reserved_tokens: '<unk>' listed twice when it is reserved, mapped to 1",
        "feedback": "'<unk>' is listed twice",
        "source": '''
            class Vocab(Vocab):
                def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                    if tokens is None:
                        tokens = []
                    if reserved_tokens is None:
                        reserved_tokens = []
                    counter = count_corpus(tokens)
                    self._token_freqs = sorted(counter.items(), key=lambda x: x[1], reverse=True)
                    self.idx_to_token = ["<unk>"] + reserved_tokens
                    self.token_to_idx = {token: idx for idx, token in enumerate(self.idx_to_token)}
                    for token, freq in self._token_freqs:
                        if freq < min_freq:
                            break
                        if token not in self.token_to_idx:
                            self.idx_to_token.append(token)
                            self.token_to_idx[token] = len(self.idx_to_token) - 1
        ''',
    },
    "vocab_ties_by_set": {
        "why": "unique tokens from set(), sorted by frequency: ties in hash order",
        "feedback": "hash/set",
        "source": '''
            class Vocab(Vocab):
                def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                    tokens = [] if tokens is None else tokens
                    counter = count_corpus(tokens)
                    flat = tokens if len(tokens) == 0 or not isinstance(tokens[0], list) else [
                        t for line in tokens for t in line]
                    uniq = sorted(set(flat), key=lambda t: counter[t], reverse=True)
                    self._token_freqs = [(t, counter[t]) for t in uniq]
                    self.idx_to_token, self.token_to_idx = [], {}
                    for token in ["<unk>"] + list(reserved_tokens or []):
                        if token not in self.token_to_idx:
                            self.idx_to_token.append(token)
                            self.token_to_idx[token] = len(self.idx_to_token) - 1
                    for token, freq in self._token_freqs:
                        if freq >= min_freq and token not in self.token_to_idx:
                            self.idx_to_token.append(token)
                            self.token_to_idx[token] = len(self.idx_to_token) - 1
        ''',
    },
    "vocab_ties_alphabetical": {
        "why": "sorted by (-freq, token): ties alphabetical",
        "feedback": "alphabetical order",
        "source": '''
            class Vocab(Vocab):
                def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                    super().__init__(tokens, min_freq, reserved_tokens)
                    freqs = sorted(self._token_freqs, key=lambda x: (-x[1], x[0]))
                    self._token_freqs = freqs
                    self.idx_to_token, self.token_to_idx = [], {}
                    for token in ["<unk>"] + list(reserved_tokens or []):
                        if token not in self.token_to_idx:
                            self.idx_to_token.append(token)
                            self.token_to_idx[token] = len(self.idx_to_token) - 1
                    for token, freq in freqs:
                        if freq >= min_freq and token not in self.token_to_idx:
                            self.idx_to_token.append(token)
                            self.token_to_idx[token] = len(self.idx_to_token) - 1
        ''',
    },
    "vocab_ties_reversed": {
        "why": "an ascending sort reversed with [::-1]: ties last-first",
        "feedback": "come out last-first",
        "source": '''
            class Vocab(Vocab):
                def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                    super().__init__(tokens, min_freq, reserved_tokens)
                    counter = count_corpus([] if tokens is None else tokens)
                    freqs = sorted(counter.items(), key=lambda x: x[1])[::-1]
                    self._token_freqs = freqs
                    self.idx_to_token, self.token_to_idx = [], {}
                    for token in ["<unk>"] + list(reserved_tokens or []):
                        if token not in self.token_to_idx:
                            self.idx_to_token.append(token)
                            self.token_to_idx[token] = len(self.idx_to_token) - 1
                    for token, freq in freqs:
                        if freq >= min_freq and token not in self.token_to_idx:
                            self.idx_to_token.append(token)
                            self.token_to_idx[token] = len(self.idx_to_token) - 1
        ''',
    },
    "vocab_min_freq_strict": {
        "why": "breaks at freq <= min_freq: tokens whose frequency equals min_freq are dropped",
        "feedback": "compare with <, not <=",
        "source": '''
            class Vocab(Vocab):
                def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                    super().__init__(tokens, 0, reserved_tokens)
                    keep = [t for t in self.idx_to_token
                            if t == "<unk>" or t in (reserved_tokens or []) or dict(self._token_freqs)[t] > min_freq]
                    self.idx_to_token = keep
                    self.token_to_idx = {t: i for i, t in enumerate(keep)}
        ''',
    },
    "vocab_reserved_appended_again": {
        "why": "appends every corpus token, also a reserved one: duplicates and a moved index",
        "feedback": "keeps its reserved index",
        "source": '''
            class Vocab(Vocab):
                def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                    super().__init__(tokens, min_freq, reserved_tokens)
                    self.idx_to_token, self.token_to_idx = [], {}
                    for token in ["<unk>"] + list(reserved_tokens or []):
                        if token not in self.token_to_idx:
                            self.idx_to_token.append(token)
                            self.token_to_idx[token] = len(self.idx_to_token) - 1
                    for token, freq in self._token_freqs:
                        if freq >= min_freq and token != "<unk>":
                            self.idx_to_token.append(token)
                            self.token_to_idx[token] = len(self.idx_to_token) - 1
        ''',
    },
    "vocab_reserved_repeated": {
        "why": "drops '<unk>' from the reserved list but keeps repeated reserved tokens",
        "feedback": "each reserved token is listed once",
        "source": '''
            class Vocab(Vocab):
                def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                    super().__init__(tokens, min_freq, None)
                    corpus_part = self.idx_to_token[1:]
                    reserved = [t for t in (reserved_tokens or []) if t != "<unk>"]
                    self.idx_to_token = ["<unk>"] + reserved + [t for t in corpus_part if t not in reserved]
                    self.token_to_idx = {}
                    for i, t in enumerate(self.idx_to_token):
                        self.token_to_idx.setdefault(t, i)
        ''',
    },
    "vocab_mutates_reserved": {
        "why": "self.idx_to_token = reserved_tokens; insert('<unk>') and append into the caller's list",
        "feedback": "changes the caller's list",
        "source": '''
            class Vocab(Vocab):
                def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                    super().__init__(tokens, min_freq, reserved_tokens)
                    if reserved_tokens is not None:
                        reserved_tokens[:] = self.idx_to_token
                        self.idx_to_token = reserved_tokens
        ''',
    },
    "vocab_unknown_raises": {
        "why": "self.token_to_idx[tokens]: KeyError for an unknown token",
        "feedback": "maps to 0 (vocab.unk)",
        "source": '''
            class Vocab(Vocab):
                def __getitem__(self, tokens):
                    if not isinstance(tokens, (list, tuple)):
                        return self.token_to_idx[tokens]
                    return [self.__getitem__(token) for token in tokens]
        ''',
    },
    "vocab_lookup_one_level": {
        "why": "looks a list up one level deep only: a list of lines raises 'unhashable'",
        "feedback": "recursively",
        "source": '''
            class Vocab(Vocab):
                def __getitem__(self, tokens):
                    if not isinstance(tokens, (list, tuple)):
                        return self.token_to_idx.get(tokens, self.unk)
                    return [self.token_to_idx.get(token, self.unk) for token in tokens]
        ''',
    },
    "vocab_tuple_is_a_token": {
        "why": "only a list is looked up element-wise: vocab[tuple] looks the tuple up as one token",
        "feedback": "a tuple is looked up element by element",
        "source": '''
            class Vocab(Vocab):
                def __getitem__(self, tokens):
                    if not isinstance(tokens, list):
                        return self.token_to_idx.get(tokens, self.unk)
                    return [self.__getitem__(token) for token in tokens]
        ''',
    },
    "vocab_token_freqs_filtered": {
        "why": "token_freqs keeps only the tokens that passed min_freq",
        "feedback": "token_freqs describes the corpus",
        "source": '''
            class Vocab(Vocab):
                @property
                def token_freqs(self):
                    return [(t, f) for t, f in self._token_freqs if t in self.token_to_idx]
        ''',
    },
    "vocab_token_freqs_method": {
        "why": "token_freqs as a plain method (no @property)",
        "feedback": "token_freqs is a property",
        "source": '''
            class Vocab(Vocab):
                def token_freqs(self):
                    return self._token_freqs
        ''',
    },
    "vocab_ties_by_last_occurrence": {
        "why": "a dict re-inserted at every occurrence (pop then set): ties ordered by last occurrence",
        "feedback": "LAST occurrence",
        "source": '''
            class Vocab(Vocab):
                def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                    tokens = [] if tokens is None else tokens
                    flat = tokens if len(tokens) == 0 or not isinstance(tokens[0], list) else [
                        t for line in tokens for t in line]
                    counts = {}
                    for t in flat:
                        counts[t] = counts.pop(t, 0) + 1
                    self._token_freqs = sorted(counts.items(), key=lambda x: x[1], reverse=True)
                    self.idx_to_token, self.token_to_idx = [], {}
                    for token in ["<unk>"] + list(reserved_tokens or []):
                        if token not in self.token_to_idx:
                            self.idx_to_token.append(token)
                            self.token_to_idx[token] = len(self.idx_to_token) - 1
                    for token, freq in self._token_freqs:
                        if freq >= min_freq and token not in self.token_to_idx:
                            self.idx_to_token.append(token)
                            self.token_to_idx[token] = len(self.idx_to_token) - 1
        ''',
    },
    # ------------------------------------------------------------------ load_corpus_time_machine
    "load_vocab_after_truncation": {
        "why": "cuts the characters to max_tokens before building the vocabulary",
        "feedback": "build the vocabulary from the whole text first",
        "source": '''
            def load_corpus_time_machine(path, max_tokens=-1):
                lines = read_time_machine(path)
                chars = [c for line in tokenize(lines, "char") for c in line]
                if max_tokens > 0:
                    chars = chars[:max_tokens]
                vocab = Vocab(chars)
                return [vocab[c] for c in chars], vocab
        ''',
    },
    "load_joined_with_space": {
        "why": "' '.join(lines): a space between lines that the text does not contain",
        "feedback": "WITHOUT a separator",
        "source": '''
            def load_corpus_time_machine(path, max_tokens=-1):
                text = " ".join(read_time_machine(path))
                vocab = Vocab(list(text))
                corpus = [vocab[c] for c in text]
                if max_tokens > 0:
                    corpus = corpus[:max_tokens]
                return corpus, vocab
        ''',
    },
    "load_always_slices": {
        "why": "corpus[:max_tokens] without the max_tokens > 0 test: the default -1 drops the last token",
        "feedback": "drops the last token",
        "source": '''
            def load_corpus_time_machine(path, max_tokens=-1):
                lines = read_time_machine(path)
                tokens = tokenize(lines, "char")
                vocab = Vocab(tokens)
                corpus = [vocab[token] for line in tokens for token in line]
                return corpus[:max_tokens], vocab
        ''',
    },
    "load_word_tokens": {
        "why": "word tokens instead of characters",
        "feedback": "the tokens are characters",
        "source": '''
            def load_corpus_time_machine(path, max_tokens=-1):
                lines = read_time_machine(path)
                tokens = tokenize(lines, "word")
                vocab = Vocab(tokens)
                corpus = [vocab[token] for line in tokens for token in line]
                if max_tokens > 0:
                    corpus = corpus[:max_tokens]
                return corpus, vocab
        ''',
    },
    "load_returns_tensor": {
        "why": "returns the corpus as a tensor",
        "feedback": "list of Python ints",
        "source": '''
            import torch
            _load = load_corpus_time_machine
            def load_corpus_time_machine(path, max_tokens=-1):
                corpus, vocab = _load(path, max_tokens)
                return torch.tensor(corpus), vocab
        ''',
    },
    "uses_nltk": {
        "why": "a library tokenizer (forbidden)",
        "feedback": "not allowed",
        "source": '''
            def tokenize(lines, token="word"):
                import nltk
                if token == "word":
                    return [nltk.tokenize.WhitespaceTokenizer().tokenize(line) for line in lines]
                if token == "char":
                    return [list(line) for line in lines]
                raise ValueError(token)
        ''',
    },
}

ALTERNATIVES = {
    # The book's code (d2l-zh §8.2), adapted only where the contract's Clarifications differ: a path argument,
    # ValueError for an unknown token type, '<unk>' and repeated reserved tokens listed once. (open() as the book:
    # the locale's encoding.)
    "book": '''
        def read_time_machine(path):
            """将时间机器数据集加载到文本行的列表中"""
            with open(path, 'r') as f:
                lines = f.readlines()
            return [re.sub('[^A-Za-z]+', ' ', line).strip().lower() for line in lines]

        def tokenize(lines, token='word'):
            """将文本行拆分为单词或字符词元"""
            if token == 'word':
                return [line.split() for line in lines]
            elif token == 'char':
                return [list(line) for line in lines]
            else:
                raise ValueError('错误：未知词元类型：' + token)

        class Vocab:
            """文本词表"""
            def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                if tokens is None:
                    tokens = []
                if reserved_tokens is None:
                    reserved_tokens = []
                # 按出现频率排序
                counter = count_corpus(tokens)
                self._token_freqs = sorted(counter.items(), key=lambda x: x[1],
                                           reverse=True)
                # 未知词元的索引为0
                self.idx_to_token = ['<unk>'] + [t for i, t in enumerate(reserved_tokens)
                                                 if t != '<unk>' and t not in reserved_tokens[:i]]
                self.token_to_idx = {token: idx
                                     for idx, token in enumerate(self.idx_to_token)}
                for token, freq in self._token_freqs:
                    if freq < min_freq:
                        break
                    if token not in self.token_to_idx:
                        self.idx_to_token.append(token)
                        self.token_to_idx[token] = len(self.idx_to_token) - 1

            def __len__(self):
                return len(self.idx_to_token)

            def __getitem__(self, tokens):
                if not isinstance(tokens, (list, tuple)):
                    return self.token_to_idx.get(tokens, self.unk)
                return [self.__getitem__(token) for token in tokens]

            def to_tokens(self, indices):
                if not isinstance(indices, (list, tuple)):
                    return self.idx_to_token[indices]
                return [self.idx_to_token[index] for index in indices]

            @property
            def unk(self):  # 未知词元的索引为0
                return 0

            @property
            def token_freqs(self):
                return self._token_freqs

        def count_corpus(tokens):
            """统计词元的频率"""
            # 这里的tokens是1D列表或2D列表
            if len(tokens) == 0 or isinstance(tokens[0], list):
                # 将词元列表展平成一个列表
                tokens = [token for line in tokens for token in line]
            return collections.Counter(tokens)

        def load_corpus_time_machine(path, max_tokens=-1):
            """返回时光机器数据集的词元索引列表和词表"""
            lines = read_time_machine(path)
            tokens = tokenize(lines, 'char')
            vocab = Vocab(tokens)
            # 因为时光机器数据集中的每个文本行不一定是一个句子或一个段落，
            # 所以将所有文本行展平到一个列表中
            corpus = [vocab[token] for line in tokens for token in line]
            if max_tokens > 0:
                corpus = corpus[:max_tokens]
            return corpus, vocab
    ''',
    # No regex (a character loop), itertools for flattening, Counter.most_common for the order (it sorts stably by
    # count), a vocabulary that keeps idx_to_token as a tuple-free list built at the end, and explicit index keys.
    "loops_and_most_common": '''
        import itertools
        import pathlib

        def read_time_machine(path):
            out = []
            for raw in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
                words, word = [], []
                for ch in raw:
                    if ch.isascii() and ch.isalpha():
                        word.append(ch.lower())
                    elif word:
                        words.append("".join(word))
                        word = []
                if word:
                    words.append("".join(word))
                out.append(" ".join(words))
            return out

        def tokenize(lines, token="word"):
            split = {"word": str.split, "char": list}.get(token)
            if split is None:
                raise ValueError(f"token must be 'word' or 'char', not {token!r}")
            return [split(line) for line in lines]

        def count_corpus(tokens):
            if tokens and isinstance(tokens[0], list):
                return collections.Counter(itertools.chain.from_iterable(tokens))
            return collections.Counter(tokens)

        class Vocab:
            def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                self._token_freqs = count_corpus(tokens or []).most_common()
                head = list(dict.fromkeys(["<unk>", *(reserved_tokens or ())]))
                body = [t for t, f in self._token_freqs if f >= min_freq and t not in head]
                self.idx_to_token = head + body
                self.token_to_idx = dict(zip(self.idx_to_token, itertools.count()))

            def __len__(self):
                return len(self.token_to_idx)

            def __getitem__(self, tokens):
                if isinstance(tokens, (list, tuple)):
                    return [self[t] for t in tokens]
                return self.token_to_idx.get(tokens, 0)

            def to_tokens(self, indices):
                if isinstance(indices, (list, tuple)):
                    return [self.to_tokens(i) for i in indices]
                return self.idx_to_token[indices]

            @property
            def unk(self):
                return 0

            @property
            def token_freqs(self):
                return list(self._token_freqs)

        def load_corpus_time_machine(path, max_tokens=-1):
            text = "".join(read_time_machine(path))
            vocab = Vocab(list(text))
            corpus = vocab[list(text)]
            return (corpus[:max_tokens] if max_tokens > 0 else corpus), vocab
    ''',
    # First-occurrence positions as an explicit sort key; a dict subclass for the counts; re.findall for words.
    "explicit_keys": '''
        def read_time_machine(path):
            with open(path, encoding="utf-8") as f:
                return [" ".join(re.findall("[A-Za-z]+", line)).lower() for line in f]

        def tokenize(lines, token="word"):
            if token not in ("word", "char"):
                raise ValueError("token must be 'word' or 'char'")
            return [re.findall(r"\\S+", line) if token == "word" else [c for c in line] for line in lines]

        def count_corpus(tokens):
            flat = tokens
            if len(tokens) > 0 and type(tokens[0]) is list:
                flat = [t for line in tokens for t in line]
            counter = collections.Counter()
            for t in flat:
                counter[t] += 1
            return counter

        class Vocab:
            def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                tokens = [] if tokens is None else tokens
                flat = [t for line in tokens for t in line] if tokens and isinstance(tokens[0], list) else tokens
                first = {}
                for i, t in enumerate(flat):
                    first.setdefault(t, i)
                counts = count_corpus(tokens)
                order = sorted(counts, key=lambda t: (-counts[t], first[t]))
                self._freqs = [(t, counts[t]) for t in order]
                self.idx_to_token = ["<unk>"]
                for t in list(reserved_tokens or []) + [t for t in order if counts[t] >= min_freq]:
                    if t not in self.idx_to_token:
                        self.idx_to_token.append(t)
                self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}

            def __len__(self):
                return len(self.idx_to_token)

            def __getitem__(self, tokens):
                if type(tokens) in (list, tuple):
                    return list(map(self.__getitem__, tokens))
                return self.token_to_idx[tokens] if tokens in self.token_to_idx else self.unk

            def to_tokens(self, indices):
                return [self.idx_to_token[i] for i in indices] if isinstance(indices, list) else self.idx_to_token[indices]

            unk = property(lambda self: 0)
            token_freqs = property(lambda self: self._freqs)

        def load_corpus_time_machine(path, max_tokens=-1):
            lines = read_time_machine(path)
            vocab = Vocab(tokenize(lines, "char"))
            corpus = [vocab.token_to_idx[c] for c in "".join(lines)]
            if max_tokens > 0:
                del corpus[max_tokens:]
            return corpus, vocab
    ''',
}
